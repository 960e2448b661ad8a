"""Click-to-verdict in the browser on network profiles, against a bare page on the same profile.

The site is built once and served by a plain static server (`LedgerServer`): it sends
`Cache-Control: no-cache` and no compression, like a host that knows nothing about
the site, keeps connections alive, and writes down every body it sends, so that the
bytes a visit costs are counted where they leave, not guessed in the browser. Every
sample is a new browser context (empty cache, no service worker: a new visitor), on
one of the network profiles:

- `unthrottled`: localhost as it is;
- `10mbit`: 10 Mbit/s each way and 40 ms round trip, by the Chrome DevTools
  Protocol's `Network.emulateNetworkConditions` on the page (which also throttles its
  dedicated worker) and on every service worker of the browser (a service worker's
  own requests are not the page's, so they need their own session).

On each profile, times are taken inside the page, from the click to the result on
screen:

- bare: a page with one button that starts a module worker, loads Pyodide as the npm
  package ships it (plain `loadPyodide`, the uncompressed files, the full lock) and
  runs `1+1`: the floor of a plain load, and the unit of every ratio;
- first: a fresh LESS-22 page (loaded, network idle), Run clicked at once; then a
  warm re-run on the same page. With the runner's start chosen by measured conditions
  (as shipped), and forced each way (`window.SIMA_SNAPSHOT`: `always` restores the
  build's memory snapshot, `never` starts Python the plain way), the data behind the
  choice;
- prefetched: the snippet scrolled into view, 15 s on the page, then the click;
- repeat: 15 s after the first verdict, a new tab of the same browser opens LESS-22 and
  Run is clicked at once (the site's service worker's cache against the host's
  `no-cache`), with the bytes of the runtime (`assets/pyodide/`) the server sent;
- offline: after those, the server answers nothing and the page's network is cut
  (`offline: true`); a new tab opens LESS-22 and clicks Run: a verdict, or why not.

For the first run it also records the bytes the server sent from the click to the
verdict and the main thread's long tasks (a PerformanceObserver('longtask') installed
before the page loads).

Also: bytes fetched before any interaction on the LESS-22 page, by type, with the
Pyodide share (which must be zero), against the same entry's Markdown built as one
plain mkdocs-material page (same theme and extensions, no plugin); and Lighthouse
12's mobile profile (simulated throttling) on both pages, alternating, for total
blocking time and the performance score (see `lighthouse`).

And, on each profile, what holding Material's search index until a reader is about to
search costs that reader (`first_search`): on a fresh page, from the `/` key to the
first full-text result for a word, on LESS-22 (whose index is fetched then) and on the
plain page (which fetched its own at load).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from sima.content.catalog import load_catalog
from sima.content.settings import load_settings
from sima.site.pages import SNIPPET_MARKER
from sima_bench.common import Figure, arguments, record
from sima_bench.site import CHROMIUM_FLAGS, QuietHandler, chromium_path, run_mkdocs, serve
from sima_bench.synth import MKDOCS_PLAIN

SNIPPET = "LESS-22/mistake1_user_sessions"
ENTRY = "entries/LESS-22/"
RUNTIME = "/assets/pyodide/"
#: How long a reader stays on the page before clicking, in the prefetch series, and
#: after the first verdict before the repeat visit.
DWELL_MS = REPEAT_AFTER_MS = 15_000
#: The longest a click may wait for its verdict before the sample counts as failed.
VERDICT_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Profile:
    """A network profile: `None` throughput means unthrottled."""

    name: str
    latency_ms: float = 0.0
    mbit_s: float | None = None

    def conditions(self, *, offline: bool = False) -> dict[str, Any] | None:
        """`Network.emulateNetworkConditions` parameters, or None for no emulation."""
        if self.mbit_s is None and not offline:
            return None
        rate = -1.0 if self.mbit_s is None else self.mbit_s * 1e6 / 8  # bytes per second
        return {
            "offline": offline,
            "latency": self.latency_ms,
            "downloadThroughput": rate,
            "uploadThroughput": rate,
        }


PROFILES = {
    "unthrottled": Profile("unthrottled"),
    "10mbit": Profile("10mbit", latency_ms=40, mbit_s=10),
}

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
const { loadPyodide } = await import(new URL("./pyodide/pyodide.mjs", import.meta.url));
const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
self.postMessage(String(pyodide.runPython("1+1")));
"""
#: The files the bare page loads: the npm package as it ships.
BARE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

# Click, then wait in the page until the predicate holds; resolves to milliseconds, or
# to -1 when it did not hold within the time limit. (The pages' policy forbids
# `new Function`, so the predicate is a name of one of these.)
CLICK_TO = """([selector, which, limit, snippet]) => new Promise((resolve) => {
  const block = () => document.querySelector(`[data-snippet="${snippet}"]`);
  const done = {
    verdict: () => ['ok', 'error', 'timeout'].includes((block() || {dataset: {}}).dataset.state),
    bare: () => document.getElementById('out').textContent === '2',
  }[which];
  const start = performance.now();
  document.querySelector(selector).click();
  (function poll() {
    const now = performance.now();
    if (done()) resolve(now - start);
    else if (now - start > limit) resolve(-1);
    else requestAnimationFrame(poll);
  })();
})"""
RUN = f'[data-snippet="{SNIPPET}"] [data-action="run"]'
LONG_TASKS = """
window.__simaLongTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__simaLongTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""
SNAPSHOT = re.compile(r".*/assets/pyodide/.*snapshot-[0-9a-f]+\.bin\.gz$")


# -- the server --------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the server sent: one (path, body bytes) per response, and a switch that
    makes it answer nothing (the network cut)."""

    sent: list[tuple[str, int]] = field(default_factory=list)
    cut: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, size: int) -> None:
        with self.lock:
            self.sent.append((path, size))

    def mark(self) -> int:
        with self.lock:
            return len(self.sent)

    def since(self, mark: int, prefix: str = "") -> int:
        """Body bytes sent since `mark`, for paths under `prefix`."""
        with self.lock:
            return sum(n for p, n in self.sent[mark:] if p.startswith(prefix))


class LedgerHandler(QuietHandler):
    """A plain static host: `no-cache`, conditional requests, keep-alive, no gzip."""

    protocol_version = "HTTP/1.1"
    ledger: Ledger

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_head(self) -> Any:
        if self.ledger.cut:
            self.close_connection = True
            return None
        return super().send_head()

    def do_GET(self) -> None:
        if self.ledger.cut:
            self.close_connection = True
            return
        super().do_GET()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        size = os.fstat(source.fileno()).st_size
        self.ledger.add(self.path.split("?", 1)[0], size)
        super().copyfile(source, outputfile)


def serve_counted(root: Path) -> tuple[http.server.ThreadingHTTPServer, str, Ledger]:
    """A `LedgerHandler` server for `root` on a free port: the server, its URL, its ledger."""
    ledger = Ledger()
    server, url = serve(root, type("Handler", (LedgerHandler,), {"ledger": ledger}))
    return server, url, ledger


# -- network profiles --------------------------------------------------------------------


class Network:
    """Applies a profile to a page (its own CDP session, which covers its dedicated
    workers) and to every service worker of the browser (attached through the
    browser's session: their requests are their own).

    Once a service worker controls a page, every request of the page and its workers
    goes through it, and its own requests are the network: the page's emulation is
    then lifted, else what the service worker hands over from its cache, or passes
    on from the network, would be throttled a second time on a leg that is no
    network at all.
    """

    def __init__(self, browser: Browser) -> None:
        self.session = browser.new_browser_cdp_session()
        self.attached: dict[str, str] = {}  # service worker target id -> session id
        self.message_id = 0

    def page(self, page: Page, conditions: dict[str, Any] | None) -> CDPSession:
        session = page.context.new_cdp_session(page)
        if conditions is not None:
            session.send("Network.enable")
            session.send("Network.emulateNetworkConditions", conditions)
        return session

    @staticmethod
    def lift(session: CDPSession) -> None:
        """No emulation on this page any more."""
        session.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def service_workers(self, conditions: dict[str, Any] | None) -> int:
        """Apply `conditions` to every running service worker; how many there were."""
        if conditions is None:
            return 0
        targets = self.session.send("Target.getTargets")["targetInfos"]
        workers = [t["targetId"] for t in targets if t["type"] == "service_worker"]
        applied = 0
        for target in workers:
            for _ in range(2):  # a worker that stopped and started again needs a new session
                try:
                    self._apply(target, conditions)
                    applied += 1
                    break
                except PlaywrightError:
                    self.attached.pop(target, None)
        return applied

    def _apply(self, target: str, conditions: dict[str, Any]) -> None:
        if target not in self.attached:
            reply = self.session.send(
                "Target.attachToTarget", {"targetId": target, "flatten": False}
            )
            self.attached[target] = reply["sessionId"]
        for method, params in (
            ("Network.enable", {}),
            ("Network.emulateNetworkConditions", conditions),
        ):
            self.message_id += 1
            message = {"id": self.message_id, "method": method, "params": params}
            self.session.send(
                "Target.sendMessageToTarget",
                {"sessionId": self.attached[target], "message": json.dumps(message)},
            )


# -- samples -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bench:
    """What every sample uses: the browser, its network control, the served site."""

    browser: Browser
    network: Network
    url: str
    ledger: Ledger


def _context(browser: Browser, policy: str | None = None) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LONG_TASKS)
    if policy is not None:
        context.add_init_script(f"window.SIMA_SNAPSHOT = {json.dumps(policy)};")
    if policy == "never":  # and refused, should the page not know the setting
        context.route(SNAPSHOT, lambda route: route.fulfill(status=404, body="not found"))
    return context


CONTROLLED = "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"


def _open(
    context: BrowserContext, bench: Bench, profile: Profile, path: str, offline: bool = False
) -> Page:
    """A new tab on `path`, loaded (network idle), on the profile: the page's own
    emulation until a service worker controls it, the service workers' always."""
    page = context.new_page()
    conditions = profile.conditions(offline=offline)
    registered = bench.network.service_workers(conditions) > 0 and bool(context.service_workers)
    session = bench.network.page(page, None if registered and not offline else conditions)
    page.goto(bench.url + path, timeout=VERDICT_TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=VERDICT_TIMEOUT_MS)
    bench.network.service_workers(conditions)  # one the page just registered
    if conditions is not None and not offline and page.evaluate(CONTROLLED):
        bench.network.lift(session)
    return page


def _click(page: Page, selector: str = RUN, which: str = "verdict") -> float:
    ms: float = page.evaluate(CLICK_TO, [selector, which, VERDICT_TIMEOUT_MS, SNIPPET])
    return ms


def bare(bench: Bench, profile: Profile) -> float:
    context = _context(bench.browser)
    page = _open(context, bench, profile, "bare/")
    ms = _click(page, "#go", "bare")
    context.close()
    return ms


def visit(
    bench: Bench, profile: Profile, policy: str | None = None, *, after: bool = True
) -> dict[str, float]:
    """A new visitor: the first click on a fresh page and a warm re-run; then (when
    `after`) a repeat visit in a new tab and an offline one.

    Returns ms for `first`, `warm`, `repeat`, `offline` (-1: no verdict; -2: the page
    did not load), `bytes` the server sent from the first click to its verdict,
    `repeat_runtime_bytes` and `repeat_bytes` the server sent for the repeat visit
    (runtime files; everything from opening the tab to the verdict), and the first
    run's main-thread long tasks (`long_tasks`: how many, `long_ms`: summed,
    `long_max`: the longest).
    """
    ledger = bench.ledger
    context = _context(bench.browser, policy)
    page = _open(context, bench, profile, ENTRY)
    page.evaluate("window.__simaLongTasks.length = 0")
    mark = ledger.mark()
    first = _click(page)
    sent = ledger.since(mark)
    page.wait_for_timeout(100)  # let the observer deliver the last entries
    long_tasks: list[float] = page.evaluate("window.__simaLongTasks.slice()")
    page.evaluate(f"document.querySelector('[data-snippet=\"{SNIPPET}\"]').dataset.state = ''")
    warm = _click(page)
    got = {
        "first": first,
        "warm": warm,
        "bytes": float(sent),
        "long_tasks": float(len(long_tasks)),
        "long_ms": float(sum(long_tasks)),
        "long_max": float(max(long_tasks, default=0.0)),
    }
    if after:
        page.wait_for_timeout(REPEAT_AFTER_MS)  # a reader stays a while; the site keeps things
        mark = ledger.mark()
        again = _open(context, bench, profile, ENTRY)
        got["repeat"] = _click(again)
        got["repeat_runtime_bytes"] = float(ledger.since(mark, RUNTIME))
        got["repeat_bytes"] = float(ledger.since(mark))
        again.close()
        ledger.cut = True
        try:
            cut = _open(context, bench, profile, ENTRY, offline=True)
            got["offline"] = _click(cut)
        except Exception:
            got["offline"] = -2.0
        finally:
            ledger.cut = False
    context.close()
    return got


def after_prefetch(bench: Bench, profile: Profile, policy: str | None = None) -> float:
    context = _context(bench.browser, policy)
    page = _open(context, bench, profile, ENTRY)
    page.locator(f'[data-snippet="{SNIPPET}"]').scroll_into_view_if_needed()
    page.mouse.wheel(0, 10)  # a real scroll event: prefetch starts
    page.wait_for_timeout(DWELL_MS)
    ms = _click(page)
    context.close()
    return ms


# -- page weight and Lighthouse -----------------------------------------------------------


SEARCH_WORD = "container"
RESULT = ".md-search-result__item"


def first_search(bench: Bench, profile: Profile, path: str) -> float:
    """ms from pressing `/` on a fresh, loaded page to the first full-text result for
    SEARCH_WORD (typed at once), on the profile; -1 when none came."""
    context = _context(bench.browser)
    page = _open(context, bench, profile, path)
    try:
        start = time.perf_counter()
        page.keyboard.press("/")
        page.keyboard.type(SEARCH_WORD)
        page.wait_for_selector(RESULT, timeout=VERDICT_TIMEOUT_MS)
        return (time.perf_counter() - start) * 1000
    except Exception:
        return -1.0
    finally:
        context.close()


def plain_markdown(root: Path, *, with_code: bool) -> str:
    """LESS-22's Markdown as a plain Material site would show it: each `@snippet` line
    as the snippet's code in an ordinary fenced block (`with_code`), or as it stands
    (prose only; Material shows the line as text)."""
    settings = load_settings(root / "mkdocs.yml")
    entry = load_catalog(settings).entries["LESS-22"]
    if not with_code:
        return entry.body

    def shown(line: str) -> str:
        match = SNIPPET_MARKER.match(line)
        if match is None:
            return line
        name = match["name"]
        key = name if "/" in name else f"{entry.ref_id}/{name}"
        code = (settings.snippets_dir / f"{key}.py").read_text(encoding="utf-8")
        title = key.rsplit("/", 1)[-1]
        return f'```python title="{title}.py" linenums="1"\n{code.rstrip()}\n```'

    return "\n".join(shown(line) for line in entry.body.splitlines()) + "\n"


def plain_page(root: Path, out: Path, *, with_code: bool = True) -> None:
    """LESS-22's Markdown (see [`plain_markdown`][sima_bench.first_verdict.plain_markdown])
    as the home page of a plain mkdocs-material site, built into `out`."""
    project = out.parent / f"{out.name}-project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text(
        plain_markdown(root, with_code=with_code), encoding="utf-8"
    )
    config = project / "mkdocs.yml"
    config.write_text(MKDOCS_PLAIN.format(count=1), encoding="utf-8")
    built = run_mkdocs(config, "build", "-d", str(out))
    if built.returncode != 0:
        raise SystemExit(f"plain page build failed:\n{built.stderr}")


def bytes_before_interaction(browser: Browser, url: str, ledger: Ledger) -> dict[str, Any]:
    """What a fresh visit to `url` costs before any interaction: the body bytes the
    server sent (`total`, its own count: what travelled, revalidations included),
    and the bodies the page received by resource type (`by_type`, as decoded), with
    the runtime's share (`pyodide`, which must be zero)."""
    context = _context(browser)
    page = context.new_page()
    sizes: Counter[str] = Counter()
    pyodide = 0

    def count(response: Any) -> None:
        nonlocal pyodide
        if response.request.service_worker is not None:
            return  # (what it keeps is in the server's count)
        try:
            size = len(response.body())
        except Exception:
            return
        sizes[response.request.resource_type] += size
        if RUNTIME in response.url:
            pyodide += size

    context.on("response", count)
    mark = ledger.mark()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # what the service worker keeps once the page is in
    sent = ledger.since(mark)
    context.close()
    return {"by_type": dict(sizes), "total": sent, "pyodide": pyodide}


class LighthouseFailed(Exception):
    """One Lighthouse run gave no score (its message says why)."""


def lighthouse_command(root: Path) -> list[str] | None:
    """The pinned Lighthouse (npm, `node_modules/.bin/lighthouse`), or None."""
    tool = root / "node_modules" / ".bin" / "lighthouse"
    node = shutil.which("node")
    return [node, str(tool)] if tool.is_file() and node else None


def lighthouse(command: list[str], url: str, chromium: str) -> dict[str, float]:
    """One Lighthouse run (its default: the mobile profile, simulated throttling) on
    `url`: performance score, total blocking time and the other metrics, in ms, and
    the accessibility score (`a11y`)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_FLAGS])
        run = subprocess.run(
            [
                *command,
                url,
                "--only-categories=performance,accessibility",
                "--output=json",
                f"--output-path={out}",
                f"--chrome-flags={flags}",
                "--quiet",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "CHROME_PATH": chromium},
            check=False,
            timeout=600,
        )
        if run.returncode != 0 or not out.is_file():
            raise SystemExit(f"lighthouse failed on {url}:\n{run.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    categories = report["categories"]
    scores = {
        "score": categories["performance"]["score"],
        "a11y": categories["accessibility"]["score"],
    }
    if None in scores.values():  # Lighthouse could not score the page this time
        problem = report.get("runtimeError", {}).get("message", "no score")
        raise LighthouseFailed(f"{url}: {problem}")
    got = {key: float(value) for key, value in scores.items()}
    for key, audit in (
        ("tbt_ms", "total-blocking-time"),
        ("fcp_ms", "first-contentful-paint"),
        ("lcp_ms", "largest-contentful-paint"),
        ("si_ms", "speed-index"),
        ("cls", "cumulative-layout-shift"),
        ("bootup_ms", "bootup-time"),
        ("main_thread_ms", "mainthread-work-breakdown"),
        ("bytes", "total-byte-weight"),
        ("dom_size", "dom-size"),
    ):
        value = audits.get(audit, {}).get("numericValue")
        if value is not None:
            got[key] = float(value)
    return got


# -- the whole benchmark ------------------------------------------------------------------


def _figures(samples: dict[str, list[float]]) -> dict[str, Figure]:
    return {name: Figure.of(values) for name, values in samples.items() if values}


def measure(
    root: Path,
    runs: int,
    profiles: list[str] | None = None,
    *,
    variants: bool = True,
    lighthouse_runs: int = 3,
) -> dict[str, Any]:
    chosen = [PROFILES[p] for p in (profiles or list(PROFILES))]
    with tempfile.TemporaryDirectory() as tmp:
        served = Path(tmp)
        server, url, ledger = serve_counted(served)
        try:
            built = run_mkdocs(
                root / "mkdocs.yml", "build", "-d", str(served), env={"SIMA_SITE_URL": url}
            )
            if built.returncode != 0:
                raise SystemExit(f"site build failed:\n{built.stderr}")
            plain_page(root, served / "plain-material")
            plain_page(root, served / "plain-prose", with_code=False)
            (served / "bare" / "pyodide").mkdir(parents=True)
            (served / "bare/index.html").write_text(BARE_HTML, encoding="utf-8")
            (served / "bare/worker.mjs").write_text(BARE_WORKER, encoding="utf-8")
            for name in BARE_FILES:
                shutil.copy(root / "node_modules/pyodide" / name, served / "bare/pyodide" / name)
            chromium = chromium_path()
            if chromium is None:
                raise SystemExit("Chromium is missing: run `make chromium`")
            by_profile: dict[str, Any] = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                bench = Bench(browser, Network(browser), url, ledger)
                for profile in chosen:
                    by_profile[profile.name] = _measure_profile(bench, profile, runs, variants)
                searches = {
                    profile.name: _search_figures(bench, profile, runs) for profile in chosen
                }
                weight = bytes_before_interaction(browser, url + ENTRY, ledger)
                plain = bytes_before_interaction(browser, url + "plain-material/", ledger)
                prose = bytes_before_interaction(browser, url + "plain-prose/", ledger)
                browser.close()
            scores: dict[str, Any] = {}
            lighthouse_failures: list[str] = []
            command = lighthouse_command(root)
            if command is not None and lighthouse_runs > 0:
                pages = {
                    "LESS-22": ENTRY,
                    "plain": "plain-material/",
                    "plain (prose only)": "plain-prose/",
                    "guide": "authoring/",
                }
                samples: dict[str, dict[str, list[float]]] = {p: {} for p in pages}
                for _ in range(lighthouse_runs):  # alternating: drift hits both alike
                    for name, path in pages.items():
                        try:
                            got = lighthouse(command, url + path, chromium)
                        except LighthouseFailed as failed:
                            lighthouse_failures.append(str(failed))
                            continue
                        for key, value in got.items():
                            samples[name].setdefault(key, []).append(value)
                scores = {name: _figures(values) for name, values in samples.items()}
        finally:
            server.shutdown()
            server.server_close()
    data: dict[str, Any] = {
        "unit": "ms, click to result on screen",
        "profiles": by_profile,
        "bytes_before_interaction": weight,
        "plain_material_page": plain,
        "page_weight_ratio": round(weight["total"] / plain["total"], 2),
        "plain_prose_page": prose,
        "page_weight_ratio_prose": round(weight["total"] / prose["total"], 2),
        "first_search": searches,
    }
    if scores and all(scores.values()):
        data["lighthouse"] = {
            "runs": lighthouse_runs,
            "failures": lighthouse_failures,
            "pages": scores,
            "tbt_ms": scores["LESS-22"]["tbt_ms"],
            "score_minus_plain": round(
                scores["LESS-22"]["score"].median - scores["plain"]["score"].median, 3
            ),
        }
    return data


def _search_figures(bench: Bench, profile: Profile, runs: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {"LESS-22": [], "plain": []}
    for _ in range(runs):  # alternating
        for name, path in (("LESS-22", ENTRY), ("plain", "plain-material/")):
            ms = first_search(bench, profile, path)
            if ms >= 0:
                samples[name].append(ms)
    figures = _figures({k: v for k, v in samples.items() if v})
    out: dict[str, Any] = {"word": SEARCH_WORD, "figures": figures}
    if len(figures) == 2:
        out["ratio_to_plain"] = round(figures["LESS-22"].ratio_to(figures["plain"]), 2)
    return out


def _measure_profile(bench: Bench, profile: Profile, runs: int, variants: bool) -> dict[str, Any]:
    samples: dict[str, list[float]] = {"bare": []}
    extra: dict[str, list[float]] = {}
    failures: Counter[str] = Counter()
    policies: list[tuple[str | None, str]] = [(None, "")]
    if variants:
        policies += [("always", " (snapshot)"), ("never", " (plain)")]
    for _ in range(runs):  # interleaved, so drift hits every series alike
        samples["bare"].append(bare(bench, profile))
        for policy, suffix in policies:
            got = visit(bench, profile, policy, after=policy is None)
            for key, value in got.items():
                if key in {"first", "warm", "repeat", "offline"}:
                    if value < 0:
                        failures[key + suffix] += 1
                        continue
                    samples.setdefault(key + suffix, []).append(value)
                else:
                    extra.setdefault(key + suffix, []).append(value)
        ms = after_prefetch(bench, profile)
        if ms < 0:
            failures["prefetched"] += 1
        else:
            samples.setdefault("prefetched", []).append(ms)
        time.sleep(0.5)
    figures = _figures(samples)
    base = figures["bare"]
    return {
        "network": {"latency_ms": profile.latency_ms, "mbit_s": profile.mbit_s},
        "figures": figures,
        "ratios_to_bare": {
            n: round(f.ratio_to(base), 3) for n, f in figures.items() if n != "bare"
        },
        "first_run": _figures(extra),
        "failures": dict(failures),
    }


def report(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, result in data["profiles"].items():
        lines.append(
            f"{'click-to-verdict, ' + name:<30}{'median ms':>10}{'min':>8}{'max':>8}{'x bare':>8}"
        )
        for series, fig in result["figures"].items():
            ratio = result["ratios_to_bare"].get(series, 1.0)
            lines.append(
                f"{series:<30}{fig.median:>10.0f}{fig.min:>8.0f}{fig.max:>8.0f}{ratio:>8.2f}"
            )
        for key, fig in result["first_run"].items():
            lines.append(f"  {key:<28}{fig.median:>18,.0f}")
        if result["failures"]:
            lines.append(f"  no verdict: {result['failures']}")
        lines.append("")
    weight, plain = data["bytes_before_interaction"], data["plain_material_page"]
    prose = data.get("plain_prose_page")
    lines.append(f"{'bytes before interaction':<26}{'LESS-22':>14}{'plain page':>14}{'ratio':>8}")
    for kind in sorted(set(weight["by_type"]) | set(plain["by_type"])):
        ours, theirs = weight["by_type"].get(kind, 0), plain["by_type"].get(kind, 0)
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        lines.append(f"{'  ' + kind:<26}{ours:>14,}{theirs:>14,}{ratio:>8}")
    lines.append(
        f"{'  total':<26}{weight['total']:>14,}{plain['total']:>14,}"
        f"{data['page_weight_ratio']:>8.2f}   (Pyodide: {weight['pyodide']:,})"
    )
    if prose:
        lines.append(
            f"{'  total, to the prose only':<26}{weight['total']:>14,}{prose['total']:>14,}"
            f"{data['page_weight_ratio_prose']:>8.2f}"
        )
    for name, search in data.get("first_search", {}).items():
        figs = search["figures"]
        told = ", ".join(f"{page} {fig.median:,.0f} ms" for page, fig in figs.items())
        lines.append(f"first search result ({name}): {told}")
    if "lighthouse" in data:
        lines.append("")
        lines.append(f"{'lighthouse (mobile)':<26}{'score':>8}{'TBT ms':>10}{'LCP ms':>10}")
        for page, figures in data["lighthouse"]["pages"].items():
            lines.append(
                f"{page:<26}{figures['score'].median:>8.2f}{figures['tbt_ms'].median:>10,.0f}"
                f"{figures['lcp_ms'].median:>10,.0f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, runs=3)
    parser.add_argument(
        "--profiles", nargs="+", choices=sorted(PROFILES), help="network profiles (default: all)"
    )
    parser.add_argument(
        "--no-variants", action="store_true", help="skip the forced snapshot and plain series"
    )
    parser.add_argument(
        "--lighthouse-runs", type=int, default=3, help="Lighthouse runs per page (0: none)"
    )
    args = parser.parse_args(argv)
    data = measure(
        args.root,
        args.runs,
        args.profiles,
        variants=not args.no_variants,
        lighthouse_runs=args.lighthouse_runs,
    )
    return record("first_verdict", data, args.runs, args.root, report(data))


if __name__ == "__main__":
    raise SystemExit(main())
