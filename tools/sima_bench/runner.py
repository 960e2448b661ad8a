"""Click-to-verdict in the browser, against a bare page that only runs `1+1` in Pyodide.

All pages are served from one static server and measured in one Chromium session;
each sample uses a new browser context (empty cache, no worker), as a new visitor.
Times are taken inside the page, from the click to the result on screen:

- bare: a page with one button that starts a module worker, loads the same
  self-hosted Pyodide (`assets/pyodide/`) and runs `1+1` (the floor of a plain load);
- first run: a fresh LESS-22 page, Run clicked with nothing loaded;
- after prefetch: the snippet scrolled into view and Python ready before the click;
- warm re-run: Run clicked again on the same page.

Each LESS-22 series is measured twice: restoring Python from the build's memory
snapshot (the site as built), and with the snapshot refused (HTTP 404, so the worker
falls back to the plain load), the `plain` series. For the first run it also records
the bytes transferred from the click to the verdict and the main thread's long tasks
(a PerformanceObserver('longtask') installed before the page loads).

Also: bytes fetched before any interaction on the LESS-22 page, by type, with the
Pyodide share (which must be zero), against the same entry's Markdown built as one
plain mkdocs-material page (same theme and extensions, no plugin).
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from sima.catalog import load_catalog
from sima.settings import load_settings
from sima_bench.common import Figure, arguments, record
from sima_bench.site import CHROMIUM_FLAGS, chromium_path, run_mkdocs, serve
from sima_bench.synth import MKDOCS_PLAIN

SNIPPET = "LESS-22/mistake1_user_sessions"

BARE_HTML = """<!doctype html>
<meta charset="utf-8"><title>bare Pyodide</title>
<button id="go">Run 1+1</button><pre id="out"></pre>
<script type="module">
document.getElementById("go").addEventListener("click", () => {
  const worker = new Worker("./worker.mjs", { type: "module" });
  worker.onmessage = (e) => { document.getElementById("out").textContent = e.data; };
});
</script>
"""
BARE_WORKER = """
const { loadPyodide } = await import(new URL("../assets/pyodide/pyodide.mjs", import.meta.url));
const pyodide = await loadPyodide({
  indexURL: new URL("../assets/pyodide/", import.meta.url).href,
});
self.postMessage(String(pyodide.runPython("1+1")));
"""

# Click, then wait in the page until `done()` is true; resolves to milliseconds.
CLICK_TO = """([selector, doneExpr]) => new Promise((resolve) => {
  const done = new Function("return " + doneExpr);
  const start = performance.now();
  document.querySelector(selector).click();
  (function poll() {
    if (done()) resolve(performance.now() - start); else requestAnimationFrame(poll);
  })();
})"""
RUN = f'[data-snippet="{SNIPPET}"] [data-action="run"]'
FINISHED = (
    "['ok','error','timeout'].includes("
    f"document.querySelector('[data-snippet=\"{SNIPPET}\"]').dataset.state)"
)
SNAPSHOT = re.compile(r".*/assets/pyodide/snapshot-[0-9a-f]+\.bin\.gz$")
LONG_TASKS = """
window.__simaLongTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__simaLongTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""
BARE_DONE = "document.getElementById('out').textContent === '2'"


def _page(browser: Browser, snapshot: bool = True) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LONG_TASKS)
    if not snapshot:
        context.route(SNAPSHOT, lambda route: route.fulfill(status=404, body="not found"))
    return context.new_page()


def bare(browser: Browser, url: str) -> float:
    page = _page(browser)
    page.goto(url + "bare/")
    ms: float = page.evaluate(
        CLICK_TO, ["#go", "document.getElementById('out').textContent === '2'"]
    )
    page.context.close()
    return ms


def first_run(browser: Browser, url: str, snapshot: bool = True) -> dict[str, float]:
    """A fresh page: click Run with nothing loaded; then a warm re-run.

    Returns `first` and `warm` (ms), `bytes` transferred from the click to the first
    verdict, and the page's main-thread long tasks meanwhile (`long_tasks`: how many,
    `long_ms`: their summed duration, `long_max`: the longest).
    """
    page = _page(browser, snapshot)
    page.goto(url + "entries/LESS-22/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__simaLongTasks.length = 0")
    fetched = 0

    def count(response: Any) -> None:
        # Content-Length: a body handed to instantiateStreaming cannot be read back.
        nonlocal fetched
        length = response.headers.get("content-length")
        if length is not None:
            fetched += int(length)
            return
        try:
            fetched += len(response.body())
        except Exception:
            return

    page.context.on("response", count)  # the context sees the worker's fetches too
    first: float = page.evaluate(CLICK_TO, [RUN, FINISHED])
    page.wait_for_timeout(100)  # let the observer deliver the last entries
    long_tasks: list[float] = page.evaluate("window.__simaLongTasks.slice()")
    page.context.remove_listener("response", count)
    page.evaluate(f"document.querySelector('[data-snippet=\"{SNIPPET}\"]').dataset.state = ''")
    warm: float = page.evaluate(CLICK_TO, [RUN, FINISHED])
    page.context.close()
    return {
        "first": first,
        "warm": warm,
        "bytes": float(fetched),
        "long_tasks": float(len(long_tasks)),
        "long_ms": float(sum(long_tasks)),
        "long_max": float(max(long_tasks, default=0.0)),
    }


def after_prefetch(browser: Browser, url: str, snapshot: bool = True) -> float:
    page = _page(browser, snapshot)
    page.goto(url + "entries/LESS-22/")
    page.wait_for_load_state("networkidle")
    page.locator(f'[data-snippet="{SNIPPET}"]').scroll_into_view_if_needed()
    page.mouse.wheel(0, 10)  # a real scroll event: prefetch starts
    page.wait_for_function("() => window.sima.runtime().status === 'ready'", timeout=120_000)
    ms: float = page.evaluate(CLICK_TO, [RUN, FINISHED])
    page.context.close()
    return ms


def plain_page(root: Path, out: Path) -> None:
    """LESS-22's Markdown as the home page of a plain mkdocs-material site, built into `out`."""
    project = out.parent / "plain-project"
    (project / "docs").mkdir(parents=True)
    entry = load_catalog(load_settings(root / "mkdocs.yml")).entries["LESS-22"]
    (project / "docs" / "index.md").write_text(entry.body, encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(MKDOCS_PLAIN.format(count=1), encoding="utf-8")
    built = run_mkdocs(config, "build", "-d", str(out))
    if built.returncode != 0:
        raise SystemExit(f"plain page build failed:\n{built.stderr}")


def bytes_before_interaction(browser: Browser, url: str) -> dict[str, Any]:
    page = _page(browser)
    sizes: Counter[str] = Counter()
    pyodide = 0

    def count(response: Any) -> None:
        nonlocal pyodide
        try:
            size = len(response.body())
        except Exception:
            return
        sizes[response.request.resource_type] += size
        if "/assets/pyodide/" in response.url:
            pyodide += size

    page.on("response", count)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    page.context.close()
    return {"by_type": dict(sizes), "total": sum(sizes.values()), "pyodide": pyodide}


def measure(root: Path, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp)
        server, url = serve(served)
        try:
            built = run_mkdocs(
                root / "mkdocs.yml", "build", "-d", str(served), env={"SIMA_SITE_URL": url}
            )
            if built.returncode != 0:
                raise SystemExit(f"site build failed:\n{built.stderr}")
            plain_page(root, served / "plain-material")
            (served / "bare").mkdir()
            (served / "bare/index.html").write_text(BARE_HTML, encoding="utf-8")
            (served / "bare/worker.mjs").write_text(BARE_WORKER, encoding="utf-8")
            chromium = chromium_path()
            if chromium is None:
                raise SystemExit("Chromium is missing: run `make chromium`")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                samples: dict[str, list[float]] = {"bare": []}
                extra: dict[str, list[float]] = {}
                for _ in range(runs):  # interleaved, so drift hits every series alike
                    samples["bare"].append(bare(browser, url))
                    for snapshot, suffix in ((True, ""), (False, " (plain)")):
                        got = first_run(browser, url, snapshot)
                        samples.setdefault("first" + suffix, []).append(got["first"])
                        samples.setdefault("warm" + suffix, []).append(got["warm"])
                        samples.setdefault("prefetched" + suffix, []).append(
                            after_prefetch(browser, url, snapshot)
                        )
                        for key in ("bytes", "long_tasks", "long_ms", "long_max"):
                            extra.setdefault(key + suffix, []).append(got[key])
                weight = bytes_before_interaction(browser, url + "entries/LESS-22/")
                plain = bytes_before_interaction(browser, url + "plain-material/")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    figures = {name: Figure.of(values) for name, values in samples.items()}
    base = figures["bare"]
    return {
        "unit": "ms, click to result on screen",
        "figures": figures,
        "ratios_to_bare": {
            n: round(f.ratio_to(base), 3) for n, f in figures.items() if n != "bare"
        },
        "bytes_before_interaction": weight,
        "plain_material_page": plain,
        "page_weight_ratio": round(weight["total"] / plain["total"], 2),
        "first_run": {name: Figure.of(values) for name, values in extra.items()},
    }


def report(data: dict[str, Any]) -> str:
    lines = [f"{'click-to-verdict':<26}{'median ms':>10}{'min':>8}{'max':>8}{'x bare':>8}"]
    for name, fig in data["figures"].items():
        ratio = data["ratios_to_bare"].get(name, 1.0)
        lines.append(f"{name:<26}{fig.median:>10.0f}{fig.min:>8.0f}{fig.max:>8.0f}{ratio:>8.2f}")
    lines.append(f"{'first run (median)':<26}{'snapshot':>14}{'plain':>14}{'ratio':>8}")
    extra = data["first_run"]
    for key, label in (
        ("bytes", "bytes transferred"),
        ("long_tasks", "long tasks (>50 ms)"),
        ("long_ms", "long tasks, total ms"),
        ("long_max", "longest task ms"),
    ):
        snap, plain = extra[key].median, extra[key + " (plain)"].median
        ratio = f"{snap / plain:.2f}" if plain else "-"
        lines.append(f"{label:<26}{snap:>14,.0f}{plain:>14,.0f}{ratio:>8}")
    weight, plain = data["bytes_before_interaction"], data["plain_material_page"]
    lines.append(f"{'bytes before interaction':<26}{'LESS-22':>14}{'plain page':>14}{'ratio':>8}")
    for kind in sorted(set(weight["by_type"]) | set(plain["by_type"])):
        ours, theirs = weight["by_type"].get(kind, 0), plain["by_type"].get(kind, 0)
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        lines.append(f"{'  ' + kind:<26}{ours:>14,}{theirs:>14,}{ratio:>8}")
    lines.append(
        f"{'  total':<26}{weight['total']:>14,}{plain['total']:>14,}"
        f"{data['page_weight_ratio']:>8.2f}   (Pyodide: {weight['pyodide']:,})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, runs=3).parse_args(argv)
    data = measure(args.root, args.runs)
    return record("runner", data, args.runs, args.root, report(data))


if __name__ == "__main__":
    raise SystemExit(main())
