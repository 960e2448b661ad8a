"""The site's service worker: a second visit runs from the site's own cache, the runner
works with the network cut, a new build replaces the old cache, a broken cache falls
back to the network; and the snapshot is restored where it costs nothing.

The site is built for these tests and served by a plain static host that sends
`Cache-Control: no-cache` and counts the bytes it sends (the benchmark's), so that
"nothing of the runtime came from the server" is what the server says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

from browser.test_runner import LESS22
from conftest import RUN_TIMEOUT, build_real_site
from sima_bench.first_verdict import PROFILES, RUNTIME, Ledger, Network, serve_counted

SNIPPET = "mistake1_request_scoped"
#: Waits in the page until the service worker controls it.
CONTROLLED = "() => navigator.serviceWorker.controller !== null"
#: The site's caches, by name.
CACHES = "() => caches.keys().then((names) => names.filter((n) => n.startsWith('sima-')))"
#: The cached URLs of one cache.
CACHED = "(name) => caches.open(name).then((c) => c.keys()).then((rs) => rs.map((r) => r.url))"


@dataclass
class Site:
    """The site built into its own folder, served with a ledger of what was sent."""

    root: Path
    url: str
    ledger: Ledger

    def build(self, run_timeout: int = RUN_TIMEOUT) -> None:
        build_real_site(self.root, self.url, run_timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("offline")
    server, url, ledger = serve_counted(root)
    served = Site(root, url, ledger)
    served.build()
    yield served
    server.shutdown()
    server.server_close()


@dataclass
class Reader:
    """One browser context (one reader's browser) and what its pages and workers said."""

    browser: Browser
    context: BrowserContext
    site: Site
    console: list[str]

    def open(self, name: str = SNIPPET) -> Page:
        """LESS-22 in a new tab, loaded, with the service worker in control."""
        page = self.context.new_page()
        page.goto(self.site.url + "entries/LESS-22/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function(CONTROLLED)
        return page

    def run(self, page: Page, name: str = SNIPPET, code: str | None = None) -> dict[str, object]:
        target = page.locator(f'[data-snippet="LESS-22/{name}"]').element_handle()
        assert target is not None
        if code is not None:
            page.evaluate("([b, t]) => window.sima.setCode(b, t)", [target, code])
        result: dict[str, object] = page.evaluate("b => window.sima.run(b)", target)
        return result

    def cache(self, page: Page) -> str:
        names: list[str] = page.evaluate(CACHES)
        assert len(names) == 1, names
        return names[0]

    def kept(self, page: Page, *endings: str) -> None:
        """Wait until the site's cache holds a URL ending with each of `endings`."""
        until(page, lambda: self.cached(page, endings))

    def cached(self, page: Page, endings: tuple[str, ...]) -> bool:
        names: list[str] = page.evaluate(CACHES)
        if len(names) != 1:
            return False
        urls: list[str] = page.evaluate(CACHED, names[0])
        return all(any(u.endswith(e) for u in urls) for e in endings)


def until(page: Page, done: Callable[[], bool], seconds: float = 60) -> None:
    """Poll `done` (it asks the page) until it holds. (wait_for_function does not wait
    for a promise the predicate returns.)"""
    for _ in range(int(seconds * 10)):
        if done():
            return
        page.wait_for_timeout(100)
    pytest.fail(f"still not so after {seconds} s")


@pytest.fixture
def reader(browser: Browser, site: Site) -> Iterator[Reader]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    console: list[str] = []

    def record(message: ConsoleMessage) -> None:
        console.append(f"{message.type}: {message.text}")

    context.on("console", record)
    try:
        yield Reader(browser, context, site, console)
    finally:
        site.ledger.cut = False
        context.close()


def runtime_names(page: Page) -> dict[str, str]:
    names: dict[str, str] = page.evaluate("window.sima.config.runtime.names")
    return names


def first_visit(reader: Reader) -> Page:
    """A first visit: the page, one run, and the runtime in the site's cache (the
    snapshot too, which the worker fetches a few seconds after a plain start)."""
    page = reader.open()
    result = reader.run(page)
    assert (result["state"], result["observed"]) == ("ok", "good")
    names = runtime_names(page)
    snapshot = page.evaluate("window.sima.config.snapshot")
    page_file = "/entries/LESS-22/index.html"  # (kept as the page loaded it)
    reader.kept(page, names["wasm"] + ".gz", names["stdlib"] + ".gz", snapshot, page_file)
    return page


def test_a_second_visit_runs_without_runtime_bytes_from_the_server(reader: Reader) -> None:
    first_visit(reader)
    ledger = reader.site.ledger
    mark = ledger.mark()
    again = reader.open()
    result = reader.run(again)
    assert (result["state"], result["observed"]) == ("ok", "good")
    assert ledger.since(mark, RUNTIME) == 0  # (the page itself comes from the network)


def test_the_runner_works_with_the_network_cut_after_one_visit(reader: Reader) -> None:
    first_visit(reader)
    reader.site.ledger.cut = True  # the server answers nothing
    reader.context.set_offline(True)
    page = reader.context.new_page()
    page.goto(reader.site.url + "entries/LESS-22/")
    assert page.locator(".md-content article h1").inner_text().startswith("LESS-22")
    result = reader.run(page)
    assert (result["state"], result["observed"]) == ("ok", "good")
    result = reader.run(page, "mistake1_user_sessions")
    assert (result["state"], result["observed"]) == ("ok", "bad")


def test_a_broken_cache_entry_falls_back_to_the_network(reader: Reader) -> None:
    page = first_visit(reader)
    names = runtime_names(page)
    wasm = reader.site.url + "assets/pyodide/" + names["wasm"] + ".gz"
    page.evaluate(
        "([name, url]) => caches.open(name).then((c) => c.put(url, new Response('broken')))",
        [reader.cache(page), wasm],
    )
    ledger = reader.site.ledger
    mark = ledger.mark()
    again = reader.open()
    result = reader.run(again)
    assert (result["state"], result["observed"]) == ("ok", "good")
    warnings = [m for m in reader.console if "did not start from the site's cache" in m]
    assert warnings and warnings[0].startswith("warning:"), reader.console
    assert ledger.since(mark, RUNTIME + names["wasm"]) > 0  # fetched again, and kept:
    mark = ledger.mark()
    third = reader.open()
    assert reader.run(third)["state"] == "ok"
    assert ledger.since(mark, RUNTIME) == 0


def slow_first_page(reader: Reader, init_script: str | None = None) -> Page:
    """LESS-22 opened on a 10 Mbit/s link (its service worker's requests too, once it
    controls the page), with `init_script` run before the page's own."""
    network = Network(reader.browser)
    slow = PROFILES["10mbit"].conditions()
    page = reader.context.new_page()
    if init_script is not None:
        page.add_init_script(init_script)
    network.page(page, slow)
    page.goto(reader.site.url + "entries/LESS-22/")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(CONTROLLED)
    assert network.service_workers(slow) >= 1  # its requests are the network now
    return page


def test_a_cached_snapshot_is_restored_and_a_slow_link_starts_plain(reader: Reader) -> None:
    """On a slow link the first page starts Python the plain way (the snapshot would
    cost 5 s more at 10 Mbit/s) and fetches the snapshot afterwards, for the service
    worker to keep; the next page restores it from the cache."""
    page = slow_first_page(reader)
    result = reader.run(page)
    assert (result["state"], result["observed"]) == ("ok", "good")
    ready = [m for m in reader.console if "Python ready" in m]
    assert ready and "snapshot" not in ready[-1], reader.console
    snapshot = page.evaluate("window.sima.config.snapshot")
    reader.kept(page, snapshot)
    again = reader.open()
    assert reader.run(again)["state"] == "ok"
    ready = [m for m in reader.console if "Python ready" in m]
    assert "from the snapshot: cached" in ready[-1], reader.console


#: The page's document, as its Navigation Timing would say it came over a fast link:
#: 200 kB in 2 ms, from the network (no service worker answered it).
FAST_DOCUMENT = """
(() => {
  const real = performance.getEntriesByType.bind(performance);
  const fast = { transferSize: 200000, encodedBodySize: 200000, responseStart: 10,
                 responseEnd: 12, workerStart: 0 };
  performance.getEntriesByType = (type) => (type === "navigation" ? [fast] : real(type));
})();
"""


def test_a_page_that_came_fast_restores_the_snapshot(reader: Reader) -> None:
    """The page measures how fast its own document came and tells the worker: on a
    link that brought it fast, the first page restores the snapshot. The runtime's
    own files come at 10 Mbit/s here, so that measure alone would start plain (the
    test above): only the page's can make this restore."""
    page = slow_first_page(reader, FAST_DOCUMENT)
    result = reader.run(page)
    assert (result["state"], result["observed"]) == ("ok", "good")
    ready = [m for m in reader.console if "Python ready" in m]
    assert ready and "from the snapshot: a fast connection (100.0 MB/s)" in ready[-1], ready


def test_a_new_build_replaces_the_old_cache(reader: Reader) -> None:
    page = first_visit(reader)
    old = reader.cache(page)
    old_names = runtime_names(page)
    reader.site.build(run_timeout=RUN_TIMEOUT + 1)  # a new deploy: other settings, same runtime
    ledger = reader.site.ledger
    mark = ledger.mark()
    fresh = reader.context.new_page()
    fresh.goto(reader.site.url + "entries/LESS-22/")  # the browser looks for a new worker
    fresh.wait_for_load_state("networkidle")
    until(fresh, lambda: fresh.evaluate(CACHES) not in ([], [old]))
    until(fresh, lambda: len(fresh.evaluate(CACHES)) == 1)
    fresh.reload()
    fresh.wait_for_function(CONTROLLED)
    assert fresh.evaluate("window.sima.config.timeout") == RUN_TIMEOUT + 1
    assert runtime_names(fresh) == old_names
    result = reader.run(fresh)
    assert (result["state"], result["observed"]) == ("ok", "good")
    # The runtime's files, named by their content, were carried into the new cache.
    assert ledger.since(mark, RUNTIME) == 0
    assert reader.cache(fresh) != old
    source = (LESS22 / f"{SNIPPET}.py").read_text(encoding="utf-8")
    assert reader.run(fresh, code=source)["state"] == "ok"
