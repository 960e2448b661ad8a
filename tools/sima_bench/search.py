"""Search at 1,000 entries: index size and keystroke-to-results, with and without the ID additions.

One synthetic knowledge base (see [`sima_bench.synth`][sima_bench.synth]) is built twice:
as is, and with the plugin option `id_search: false` (no `ids.json`, no `find.js`).
Both are served from one static server and measured in one Chromium session.

- Index size: bytes of `search/search_index.json`, plus `assets/sima/ids.json` where
  it exists, in all and per entry.
- Keystroke to results: the query minus its last character is typed and its results
  awaited; then, measured in the page with `performance.now()`, from the `keydown` of
  the last character to the first change of the results on screen that answers the
  full query: for an ID query with the additions, the ID list showing that entry
  first; otherwise, mkdocs-material's result list re-rendered after the keystroke.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

from sima_bench.common import Figure, write
from sima_bench.runner import CHROMIUM_FLAGS
from sima_bench.site import run_mkdocs, serve
from sima_bench.synth import WORDS, generate

# Arms a MutationObserver on the search output; `window.__took` gets the milliseconds
# from the next keydown in the search box to the first mutation after which `done()`.
ARM = """([doneExpr, watched]) => {
  window.__took = undefined;
  const done = new Function("return " + doneExpr);
  const input = document.querySelector(".md-search__input");
  let start = null;
  input.addEventListener("keydown", () => { start = performance.now(); },
    { once: true, capture: true });
  const observer = new MutationObserver(() => {
    if (start !== null && done()) {
      window.__took = performance.now() - start;
      observer.disconnect();
    }
  });
  observer.observe(document.querySelector(watched),
    { subtree: true, childList: true, characterData: true, attributes: true });
}"""
ID_FIRST = (
    "(document.querySelector('.sima-id-hits:not([hidden]) .sima-id-hit') || {{dataset: {{}}}})"
    ".dataset.ref === {ref!r}"
)
# Material re-renders its result area (count line and list) once per answered query;
# the first change there after the keystroke is the answer, even "no results".
MATERIAL_UPDATED = "true"
ID_AREA = ".md-search__scrollwrap"
MATERIAL_AREA = ".md-search-result"


def index_size(site: Path, entries: int) -> dict[str, Any]:
    files = [site / "search" / "search_index.json", site / "assets" / "sima" / "ids.json"]
    sizes = {f.name: f.stat().st_size for f in files if f.is_file()}
    total = sum(sizes.values())
    return {"files": sizes, "total": total, "per_entry": round(total / entries, 1)}


def keystroke(browser: Browser, url: str, query: str, done: str, watched: str) -> float:
    """Milliseconds from the last keystroke of `query` to results that answer it."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    box = page.locator(".md-search__input")
    box.click()
    box.press_sequentially("state")  # wait until Material's search worker answers
    page.wait_for_selector(".md-search-result__item", timeout=60_000)
    box.fill("")
    box.press_sequentially(query[:-1])
    page.wait_for_timeout(300)  # let the results for the prefix settle
    page.evaluate(ARM, [done, watched])
    box.press(query[-1])
    page.wait_for_function("window.__took !== undefined", timeout=60_000)
    took: float = page.evaluate("window.__took")
    page.context.close()
    return took


def measure(root: Path, runs: int, count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp) / "served"
        served.mkdir()
        server, url = serve(served)
        try:
            made = generate(Path(tmp) / "kb", count, node_modules=(root / "node_modules").resolve())
            config = made.kb / "mkdocs.yml"
            without = made.kb / "mkdocs-without.yml"
            text = config.read_text(encoding="utf-8")
            without.write_text(
                text.replace("      runner: false", "      runner: false\n      id_search: false"),
                encoding="utf-8",
            )
            sites = {"with": config, "without": without}
            for name, path in sites.items():
                env = {"SIMA_SITE_URL": f"{url}{name}/"}
                built = run_mkdocs(path, "build", "-q", "-d", str(served / name), env=env)
                if built.returncode != 0:
                    raise SystemExit(f"build {name} failed:\n{built.stderr[-2000:]}")
            first_id = sorted(p.stem for p in (made.kb / "entries").glob("*.md"))[0]
            queries = {
                "id": first_id,
                "id, compact": first_id.lower().replace("-", ""),
                "word": WORDS[0],
                "two words": f"{WORDS[3]} {WORDS[4]}",
            }
            chromium = shutil.which("chromium")
            if chromium is None:
                raise SystemExit("Chromium is missing: run `make chromium`")
            samples: dict[str, list[float]] = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                for _ in range(runs):
                    for label, query in queries.items():
                        for name in sites:
                            id_query = label.startswith("id") and name == "with"
                            done = ID_FIRST.format(ref=first_id) if id_query else MATERIAL_UPDATED
                            area = ID_AREA if id_query else MATERIAL_AREA
                            took = keystroke(browser, f"{url}{name}/", query, done, area)
                            samples.setdefault(f"{label} ({name})", []).append(took)
                browser.close()
            sizes = {name: index_size(served / name, count) for name in sites}
        finally:
            server.shutdown()
            server.server_close()
    figures = {key: Figure.of(values) for key, values in samples.items()}
    ratios = {
        label: round(figures[f"{label} (with)"].ratio_to(figures[f"{label} (without)"]), 3)
        for label in queries
    }
    return {
        "entries": count,
        "index_bytes": sizes,
        "index_ratio_with_to_without": round(sizes["with"]["total"] / sizes["without"]["total"], 3),
        "keystroke_ms": figures,
        "keystroke_ratio_with_to_without": ratios,
    }


def report(data: dict[str, Any]) -> str:
    lines = [f"{'keystroke to results':<28}{'median ms':>10}{'min':>8}{'max':>8}"]
    for name, fig in data["keystroke_ms"].items():
        lines.append(f"{name:<28}{fig.median:>10.1f}{fig.min:>8.1f}{fig.max:>8.1f}")
    for label, ratio in data["keystroke_ratio_with_to_without"].items():
        lines.append(f"ratio with/without, {label}: {ratio}")
    for name, size in data["index_bytes"].items():
        lines.append(f"index {name}: {size['total']:,} bytes, {size['per_entry']} per entry")
    lines.append(f"index ratio with/without: {data['index_ratio_with_to_without']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    data = measure(args.root, args.runs, args.entries)
    path = write("search", data, args.root)
    print(report(data))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
