"""Search at 1,000 entries: index size and keystroke to results, with and without the ID additions.

One synthetic knowledge base of 1,000 entries (see [`sima_bench.synth`][sima_bench.synth])
is built twice: as generated (the ID additions on: `assets/sima/find.js` and its index
`assets/sima/ids.json`) and with the plugin option `id_search: false` (neither). Both
builds are served from one static server and measured in one Chromium session.

Index size: the bytes of `search/search_index.json` (mkdocs-material's full-text
index), plus `assets/sima/ids.json` where it exists; in all, per entry, and gzipped
(what a static host usually sends).

Keystroke to results: each sample is a new browser context (a new visitor) on the
home page. The search is opened by clicking the header's search box, and the site is
made ready as a user's first search would: one word (`container`) is searched until
Material's worker (which loads its index on the first query) lists results, and, with
the additions, until `find.js` has loaded `ids.json`; the box is then cleared. Then:

- the query minus its last character is put in the box without a `keyup` (as if
  pasted), so only `find.js` (which listens to `input`) reacts and Material (which
  queries its worker on `keyup`) has nothing in flight;
- inside the page, `performance.now()` is read and the last keystroke is dispatched
  (`keydown`, the value with the last character, `input`, `keyup`); the time stops at
  the first animation frame (`requestAnimationFrame`, i.e. the frame about to be
  painted) in which the results for the full query are in the page.

Results on screen means, for an ID query with the additions: the `.sima-id-hits` list
is visible and its first `.sima-id-hit`, created after the keystroke, is the queried
entry (`data-ref`). For Material (word queries; ID queries without the additions):
Material rewrites its count line (`.md-search-result__meta`) exactly once per answer
from its worker, in the same task as it empties the list and appends the first ten
`.md-search-result__item`s; its worker answers every query, in order. A
MutationObserver counts those writes, so the results are on screen once the count has
reached the answer to the last query sent (and no result item from before the
keystroke is left). This holds for an empty answer ("No matching documents") as well,
which a check on the first result's link would miss; 300 ms later the count is checked
again, and a further answer (a query the count did not expect) stops the benchmark.
With the additions, Material's own list for ID queries is timed as well
(`material_with_ids_ms`); the time at which the results entered the DOM (seen by a
MutationObserver, before the frame) is kept too (`keystroke_dom_ms`).

Material sends one query to its worker per keystroke and answers them all in turn,
so a query typed character by character waits for its prefixes' answers first. That
is measured as well (`typed_ms`, in the same page after the sample above, the box
cleared): all but the last character are typed with real key presses (Playwright,
one every 100 ms), the last is dispatched in the page as above, and the time runs to
the answer to the full query (the count of answers reaching the number of characters
typed since the box was cleared).
"""

from __future__ import annotations

import gzip
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from sima_bench.common import Figure, arguments, record
from sima_bench.site import CHROMIUM_FLAGS, chromium_path, run_mkdocs, serve
from sima_bench.synth import WORDS, generate

ENTRIES = 1000
BUILDS = ("with", "without")
WARM_WORD = "container"
WORD_QUERIES = ("cache", "latency")
TYPING_MS = 100
TIMEOUT_MS = 60_000
INDEX_FILES = ("search/search_index.json", "assets/sima/ids.json")

# Counts Material's answers: it sets the count line's textContent once per answer
# (one childList record each, even when the text is the same as before).
COUNT_ANSWERS = """() => {
  window.__benchAnswers = 0;
  new MutationObserver((records) => { window.__benchAnswers += records.length; })
    .observe(document.querySelector(".md-search-result__meta"), { childList: true });
}"""
ANSWERS = "window.__benchAnswers"

# Put `value` in the search box; with `keyup`, Material queries its worker for it.
SET_QUERY = """([value, keyup]) => {
  const input = document.querySelector(".md-search__input");
  input.value = value;
  input.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertText" }));
  if (keyup) input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key: "x" }));
}"""

# The last keystroke of `query`, then wait for the results; resolves to milliseconds
# (`frame`: first animation frame with the results; `dom`: first DOM change with them)
# for Material (`answers`: the answer count that answers the full query) and, when
# `ref` is given, the ID list showing that entry first.
MEASURE = """([query, ref, answers, timeout]) => new Promise((resolve) => {
  const input = document.querySelector(".md-search__input");
  for (const el of document.querySelectorAll(".md-search-result__item, .sima-id-hit")) {
    el.dataset.benchOld = "";
  }
  const checks = {
    material: () => window.__benchAnswers >= answers
      && !document.querySelector(".md-search-result__item[data-bench-old]"),
  };
  if (ref !== null) {
    checks.sima = () => {
      const first = document.querySelector(
        ".sima-id-hits:not([hidden]) li:first-child > .sima-id-hit:not([data-bench-old])");
      return first !== null && first.dataset.ref === ref;
    };
  }
  const took = {};
  for (const name in checks) took[name] = { dom: null, frame: null };
  let finished = false;
  const see = (kind, now) => {
    for (const name in checks) {
      if (took[name][kind] === null && checks[name]()) took[name][kind] = now;
    }
  };
  const observer = new MutationObserver(() => see("dom", performance.now() - start));
  observer.observe(document.querySelector(".md-search"),
    { subtree: true, childList: true, characterData: true, attributes: true });
  const key = query.slice(-1);
  const start = performance.now();
  input.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, key }));
  input.value = query;
  input.dispatchEvent(
    new InputEvent("input", { bubbles: true, inputType: "insertText", data: key }));
  input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key }));
  (function frame() {
    const now = performance.now() - start;
    see("frame", now);
    const done = Object.values(took).every((t) => t.frame !== null);
    if (done || now > timeout) {
      observer.disconnect();
      const first = document.querySelector(".md-search-result__item a");
      resolve({
        took,
        meta: document.querySelector(".md-search-result__meta").textContent.trim(),
        first: first ? first.getAttribute("href") : null,
      });
    } else {
      requestAnimationFrame(frame);
    }
  })();
})"""


def _significant(ratio: float) -> float:
    """Three significant digits: a ratio of 0.0003 must not print as 0.0."""
    return float(f"{ratio:.3g}")


def index_size(site: Path) -> dict[str, Any]:
    """Bytes of the search indexes in one build (raw and gzipped), in all and per entry."""
    files = {name: site / name for name in INDEX_FILES if (site / name).is_file()}
    raw = {name: path.stat().st_size for name, path in files.items()}
    packed = {
        name: len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
        for name, path in files.items()
    }
    total = sum(raw.values())
    return {
        "files": raw,
        "total": total,
        "per_entry": round(total / ENTRIES, 1),
        "gzip_files": packed,
        "gzip_total": sum(packed.values()),
        "gzip_per_entry": round(sum(packed.values()) / ENTRIES, 1),
    }


def _wait_answers(page: Page, count: int) -> None:
    page.wait_for_function(f"() => {ANSWERS} >= {count}", timeout=TIMEOUT_MS)


def _answers(page: Page) -> int:
    count: int = page.evaluate(ANSWERS)
    return count


def _measure(page: Page, query: str, ref: str | None, answers: int) -> dict[str, Any]:
    got: dict[str, Any] = page.evaluate(MEASURE, [query, ref, answers, TIMEOUT_MS])
    for name, took in got["took"].items():
        if took["frame"] is None:
            raise SystemExit(f"{name}: no results for {query!r} in {TIMEOUT_MS} ms: {got}")
    page.wait_for_timeout(300)
    if _answers(page) != answers:  # Material answered more queries than were sent
        raise SystemExit(f"{query!r}: {_answers(page)} answers from Material, {answers} expected")
    return got


def sample(
    browser: Browser, url: str, query: str, ref: str | None, additions: bool
) -> dict[str, Any]:
    """One visitor: ready the search, then the pasted and the typed measurement."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        has_find = page.locator('script[src*="assets/sima/find.js"]').count() > 0
        if has_find != additions:
            raise SystemExit(f"{url}: find.js {'missing' if additions else 'present'}")
        page.evaluate(COUNT_ANSWERS)
        page.locator(".md-search__input").click()  # opens the search
        page.evaluate(SET_QUERY, [WARM_WORD, True])
        page.wait_for_selector(".md-search-result__item", timeout=TIMEOUT_MS)
        if additions:  # find.js has loaded ids.json and rendered once
            page.wait_for_selector(".sima-id-hits", state="attached", timeout=TIMEOUT_MS)
        cleared = _answers(page) + 1
        page.evaluate(SET_QUERY, ["", True])
        _wait_answers(page, cleared)

        page.evaluate(SET_QUERY, [query[:-1], False])  # pasted: Material not asked
        page.wait_for_timeout(200)
        pasted = _measure(page, query, ref, _answers(page) + 1)

        cleared = _answers(page) + 1
        page.evaluate(SET_QUERY, ["", True])
        _wait_answers(page, cleared)
        page.wait_for_timeout(200)
        answered = _answers(page) + len(query)  # one answer per character typed
        page.keyboard.type(query[:-1], delay=TYPING_MS)
        page.wait_for_timeout(TYPING_MS)
        typed = _measure(page, query, ref, answered)
        return {"pasted": pasted, "typed": typed}
    finally:
        context.close()


def build_both(kb: Path, served: Path, url: str) -> None:
    """Build `kb` as generated into `served/with` and with `id_search: false` into
    `served/without` (both at once: the builds themselves are not measured here)."""
    config = kb / "mkdocs.yml"
    without = kb / "mkdocs-without.yml"
    text = config.read_text(encoding="utf-8")
    if "      runner: false\n" not in text:
        raise SystemExit(f"{config}: no `runner: false` line to add `id_search: false` after")
    without.write_text(
        text.replace("      runner: false\n", "      runner: false\n      id_search: false\n"),
        encoding="utf-8",
    )
    configs = {"with": config, "without": without}

    def build(name: str) -> None:
        env = {"SIMA_SITE_URL": f"{url}{name}/"}
        done = run_mkdocs(configs[name], "build", "-q", "-d", str(served / name), env=env)
        if done.returncode != 0:
            raise SystemExit(f"build {name} failed:\n{done.stderr[-2000:]}")

    with ThreadPoolExecutor(max_workers=len(BUILDS)) as pool:
        list(pool.map(build, BUILDS))


Samples = dict[str, dict[str, dict[str, list[float]]]]  # series -> build -> query -> ms


def collect(
    chromium: str, url: str, queries: dict[str, str | None], runs: int
) -> tuple[Samples, dict[str, dict[str, Any]]]:
    """All samples, in one Chromium session; also Material's answer to each query."""
    samples: Samples = {}
    answers: dict[str, dict[str, Any]] = {name: {} for name in BUILDS}

    def keep(series: str, build: str, query: str, value: float) -> None:
        samples.setdefault(series, {}).setdefault(build, {}).setdefault(query, []).append(value)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for run in range(runs):  # interleaved, so drift hits every series alike
            print(f"run {run + 1}/{runs}", flush=True)
            for query, ref in queries.items():
                for build in BUILDS:
                    ids = ref is not None and build == "with"
                    got = sample(
                        browser, f"{url}{build}/", query, ref if ids else None, build == "with"
                    )
                    for way, series in (("pasted", "keystroke"), ("typed", "typed")):
                        took = got[way]["took"]
                        shown = took["sima" if ids else "material"]
                        keep(series, build, query, shown["frame"])
                        keep(f"{series}_dom", build, query, shown["dom"])
                        if ids:
                            material = took["material"]["frame"]
                            keep(f"{series}_material_with_ids", build, query, material)
                    answers[build][query] = {
                        "meta": got["pasted"]["meta"],
                        "first_result": got["pasted"]["first"],
                    }
        browser.close()
    return samples, answers


def measure(root: Path, runs: int) -> dict[str, Any]:
    chromium = chromium_path()
    if chromium is None:
        raise SystemExit("Chromium is missing: run `make chromium`")
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served"
        served.mkdir()
        server, url = serve(served)
        try:
            made = generate(Path(tmp) / "gen", ENTRIES, node_modules=root / "node_modules")
            print(f"building {ENTRIES} entries twice (with and without the ID additions)...")
            build_both(made.kb, served, url)
            sizes = {name: index_size(served / name) for name in BUILDS}
            first_id = next(p.stem for p in (made.kb / "entries").glob("*-0001.md"))
            queries: dict[str, str | None] = {  # query -> the ID it names, if any
                first_id: first_id,
                first_id.replace("-", "").lower(): first_id,
            }
            for word in WORD_QUERIES:
                if word not in WORDS or word == WARM_WORD:
                    raise SystemExit(f"{word!r}: not a word of the synthetic entries")
                queries[word] = None
            samples, answers = collect(chromium, url, queries, runs)
        finally:
            server.shutdown()
            server.server_close()

    figures = {
        series: {
            build: {query: Figure.of(values) for query, values in per_query.items()}
            for build, per_query in per_build.items()
        }
        for series, per_build in samples.items()
    }

    def ratios(series: str) -> dict[str, float]:
        return {
            query: _significant(
                figures[series]["with"][query].ratio_to(figures[series]["without"][query])
            )
            for query in queries
        }

    return {
        "entries": ENTRIES,
        "runs": runs,
        "queries": {q: ("id" if ref is not None else "word") for q, ref in queries.items()},
        "index_bytes": sizes,
        "index_ratio_with_to_without": round(sizes["with"]["total"] / sizes["without"]["total"], 3),
        "index_gzip_ratio_with_to_without": round(
            sizes["with"]["gzip_total"] / sizes["without"]["gzip_total"], 3
        ),
        "unit": "ms from the last keystroke to the results on screen (animation frame)",
        "keystroke_ms": figures["keystroke"],
        "keystroke_ratio_with_to_without": ratios("keystroke"),
        "keystroke_dom_ms": figures["keystroke_dom"],
        "material_with_ids_ms": figures["keystroke_material_with_ids"]["with"],
        "typed_every_ms": TYPING_MS,
        "typed_ms": figures["typed"],
        "typed_ratio_with_to_without": ratios("typed"),
        "typed_material_with_ids_ms": figures["typed_material_with_ids"]["with"],
        "material_answer": answers,
    }


def report(data: dict[str, Any]) -> str:
    sizes = data["index_bytes"]
    lines = [
        f"{'search index, ' + str(data['entries']) + ' entries':<34}"
        f"{'with':>12}{'without':>12}{'ratio':>8}",
    ]
    for key, label, ratio in (
        ("total", "bytes", data["index_ratio_with_to_without"]),
        ("per_entry", "bytes per entry", None),
        ("gzip_total", "bytes gzipped", data["index_gzip_ratio_with_to_without"]),
    ):
        shown = f"{ratio:>8.3f}" if ratio is not None else ""
        lines.append(
            f"{label:<34}{sizes['with'][key]:>12,.0f}{sizes['without'][key]:>12,.0f}{shown}"
        )
    for series, title in (("keystroke", "keystroke to results"), ("typed", "typed, last key")):
        lines.append(
            f"{title + ' (ms)':<34}{'with':>12}{'without':>12}{'ratio':>8}"
            f"{'  min-max with / without'}"
        )
        figures = data[f"{series}_ms"]
        for query, kind in data["queries"].items():
            w, wo = figures["with"][query], figures["without"][query]
            ratio = data[f"{series}_ratio_with_to_without"][query]
            lines.append(
                f"{query + ' (' + kind + ')':<34}{w.median:>12.1f}{wo.median:>12.1f}{ratio:>8.3g}"
                f"  {w.min:.0f}-{w.max:.0f} / {wo.min:.0f}-{wo.max:.0f}"
            )
        own = data[
            "material_with_ids_ms" if series == "keystroke" else "typed_material_with_ids_ms"
        ]
        for query, fig in own.items():
            lines.append(f"{'  Material list, with, ' + query:<34}{fig.median:>12.1f}")
    for build, per_query in data["material_answer"].items():
        for query, answer in per_query.items():
            lines.append(f"Material's answer ({build}) to {query}: {answer['meta']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, runs=5).parse_args(argv)
    data = measure(args.root.resolve(), args.runs)
    return record("search", data, args.runs, args.root, report(data))


if __name__ == "__main__":
    raise SystemExit(main())
