"""The runner survives whatever a reader types, and reader code reaches no other host.

One LESS-22 page runs every case through `window.sima.setCode` and Run; after each,
Reset and a run of the original snippet must show its claim again, on that block and
on another one, without a reload. Every request of the page and its worker is
recorded, and a second local server stands by as a real target: it must receive
nothing. Every page carries a Content-Security-Policy that lets the browser load from
the site only, and the site (search, previews, graphs, instant navigation, the
runner) works under it.
"""

from __future__ import annotations

import http.server
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from browser.conftest import Visit, opened
from browser.test_find import search
from browser.test_runner import LESS22, block, handle
from conftest import Served
from sima.site.csp import inline_scripts, script_hash

SNIPPET = "mistake1_user_sessions"
OTHER = "mistake1_request_scoped"
FLOOD = "lifecycle_cold_warm"
CLAIMS = tomllib.loads((LESS22 / "claims.toml").read_text(encoding="utf-8"))
ORIGINAL = (LESS22 / f"{SNIPPET}.py").read_text(encoding="utf-8")
OFFLINE = "the runner on this page is offline by design"


@dataclass
class Target:
    """Another host on this machine that reader code might try to reach."""

    url: str
    received: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    seen: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()

        do_GET = do_POST = do_PUT = do_OPTIONS = do_HEAD = answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Target(f"http://127.0.0.1:{server.server_address[1]}/", seen)
    server.shutdown()
    server.server_close()


@dataclass
class Page22:
    visit: Visit
    console: list[str]


@pytest.fixture(scope="module")
def page22(browser: Browser, built_site: Path, site_server: Served) -> Iterator[Page22]:
    """One LESS-22 page for every case, with the console of the page and its worker."""
    with opened(browser, site_server) as visit:
        console: list[str] = []

        def record(message: ConsoleMessage) -> None:
            console.append(f"{message.type}: {message.text}")

        visit.page.context.on("console", record)
        visit.goto("entries/LESS-22/")
        visit.page.wait_for_load_state("networkidle")
        yield Page22(visit, console)


def run(page: Page22, name: str, code: str | None = None) -> dict[str, object]:
    target = handle(block(page.visit, name))
    if code is not None:
        page.visit.page.evaluate("([b, t]) => window.sima.setCode(b, t)", [target, code])
    result: dict[str, object] = page.visit.page.evaluate("b => window.sima.run(b)", target)
    return result


def status(page: Page22, name: str) -> str:
    # (text_content: the block may be out of view, and innerText depends on layout)
    return (block(page.visit, name).locator(".sima-run__status").text_content() or "").strip()


def workers(page: Page22) -> int:
    count: int = page.visit.page.evaluate("window.sima.runtime().workers")
    return count


def assert_recovers(page: Page22, *others: str, edited: str = SNIPPET) -> None:
    """Reset, then the original snippet (and others of the page) show their claims."""
    page.visit.page.evaluate("b => window.sima.reset(b)", handle(block(page.visit, edited)))
    for name in (edited, *others):
        result = run(page, name)
        assert (result["state"], result["observed"]) == ("ok", CLAIMS[name]["claim"]), result
        expect(block(page.visit, name)).to_have_attribute("data-verdict", CLAIMS[name]["claim"])


def probes(url: str) -> str:
    """Module code trying every way out of the worker, printing what each raised."""
    return f"""import js, pyodide.code, pyodide.http, urllib.request
URL = {url!r}


def probe(name, attempt):
    try:
        attempt()
    except BaseException as exc:
        print("probe", name, "->", type(exc).__name__, exc)
    else:
        print("probe", name, "-> no error")


probe("fetch", lambda: js.fetch(URL + "fetch"))
probe("XMLHttpRequest", lambda: js.XMLHttpRequest.new().open("GET", URL + "xhr"))
probe("WebSocket", lambda: js.WebSocket.new(URL.replace("http", "ws") + "ws"))
probe("EventSource", lambda: js.EventSource.new(URL + "sse"))
probe("importScripts", lambda: js.importScripts(URL + "script.js"))
probe("sendBeacon", lambda: js.navigator.sendBeacon(URL + "beacon", "x"))
probe("Worker", lambda: js.Worker.new(URL + "worker.js"))
probe("caches", lambda: js.caches.open("sima"))
probe("pyfetch", lambda: pyodide.http.pyfetch(URL + "pyfetch"))
probe("open_url", lambda: pyodide.http.open_url(URL + "open_url"))
probe("eval", lambda: js.eval("import('" + URL + "eval.mjs')"))
probe("run_js", lambda: pyodide.code.run_js("import('" + URL + "run_js.mjs')"))
probe("Function", lambda: js.Function.new("return import('" + URL + "f.mjs')")())
probe("constructor", lambda: js.Object.constructor.new("return import('" + URL + "c.mjs')")())
probe("urlopen", lambda: urllib.request.urlopen(URL + "urlopen", timeout=2))
js.setTimeout("self.simaTimer = 1; fetch('" + URL + "timer')", 0)

"""


#: Each way out, and what its error must say.
REFUSED = {
    "fetch": f"ConnectionRefusedError [Errno 14] fetch(): {OFFLINE}",
    "XMLHttpRequest": f"ConnectionRefusedError [Errno 14] XMLHttpRequest: {OFFLINE}",
    "WebSocket": f"ConnectionRefusedError [Errno 14] WebSocket: {OFFLINE}",
    "EventSource": f"ConnectionRefusedError [Errno 14] EventSource: {OFFLINE}",
    "importScripts": f"ConnectionRefusedError [Errno 14] importScripts(): {OFFLINE}",
    "sendBeacon": f"ConnectionRefusedError [Errno 14] navigator.sendBeacon(): {OFFLINE}",
    "Worker": f"ConnectionRefusedError [Errno 14] Worker: {OFFLINE}",
    "caches": f"ConnectionRefusedError [Errno 14] caches: {OFFLINE}",
    "pyfetch": f"ConnectionRefusedError [Errno 14] pyodide.http.pyfetch(): {OFFLINE}",
    "open_url": f"ConnectionRefusedError [Errno 14] pyodide.http.open_url(): {OFFLINE}",
    "eval": f"ConnectionRefusedError [Errno 14] eval() (JavaScript from Python, and so "
    f"import() of a URL): {OFFLINE}",
    "run_js": f"ConnectionRefusedError [Errno 14] eval() (JavaScript from Python, and so "
    f"import() of a URL): {OFFLINE}",
    "Function": f"JsException Error: Function(): {OFFLINE}",
    "constructor": f"JsException Error: Function(): {OFFLINE}",
    "urlopen": "URLError <urlopen error",
}


def test_no_way_out_reaches_another_host(page22: Page22, target: Target) -> None:
    result = run(page22, SNIPPET, probes(target.url) + ORIGINAL)
    # The snippet's own code still runs, and the check still sees what it claims.
    assert (result["state"], result["observed"]) == ("ok", CLAIMS[SNIPPET]["claim"]), result
    said = {
        line.split(" ", 2)[2].split(" -> ", 1)[0]: line.split(" -> ", 1)[1]
        for line in str(result["output"]).splitlines()
        if line.startswith("[1] probe ")
    }
    assert sorted(said) == sorted(REFUSED)
    for name, error in REFUSED.items():
        assert said[name].startswith(error), (name, said[name])
    # The string timer is JavaScript made from a string: the worker, started from a
    # blob: URL, runs under the page's policy, which refuses to compile it.
    check = "import js\nprint('timer ran:', getattr(js, 'simaTimer', None))\n\n" + ORIGINAL
    assert "[1] timer ran: None\n" in str(run(page22, SNIPPET, check)["output"])
    assert target.received == []
    assert page22.visit.foreign() == []
    assert_recovers(page22)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("import os\nos._exit(3)\n", "ExitError: the process exited (code 3) through os._exit()"),
        ("import posix\nposix._exit(5)\n", "ExitError: the process exited (code 5) through"),
        ("import sys\nsys.exit(2)\n", "ExitError: the process exited (code 2)"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt (line 1)"),
    ],
    ids=["os._exit", "posix._exit", "sys.exit", "KeyboardInterrupt"],
)
def test_an_exit_or_interrupt_is_the_invocations_error(
    page22: Page22, code: str, error: str
) -> None:
    """They end the simulated process, as in a real container; Python lives on."""
    before = workers(page22)
    result = run(page22, SNIPPET, code)
    assert result["state"] == "ok"
    assert error in str(result["report"])
    assert_recovers(page22)
    assert workers(page22) == before


def test_a_runaway_recursion_crashes_python_and_the_page_restarts_it(page22: Page22) -> None:
    before = workers(page22)
    code = "import sys\nsys.setrecursionlimit(10**6)\n\ndef f(n):\n    return f(n + 1)\n\nf(0)\n"
    result = run(page22, SNIPPET, code)
    assert result["state"] == "error"
    assert status(page22, SNIPPET) == (
        "Python crashed: the code went deeper than the browser's stack allows (a runaway "
        "recursion?). Python was restarted, so the next run starts fresh."
    )
    assert_recovers(page22, OTHER)
    assert workers(page22) == before + 1


def test_exhausting_memory_is_stopped_and_recovered(page22: Page22) -> None:
    code = "hoard = []\nwhile True:\n    hoard.append(bytearray(10**7))\n"
    result = run(page22, SNIPPET, code)
    assert result["state"] in ("timeout", "error", "ok")  # time limit, crash or MemoryError
    assert_recovers(page22, OTHER)


def test_an_error_the_worker_raises_later_replaces_it(page22: Page22) -> None:
    """A callback the code left behind fails after the run: the worker's 'error' event."""
    before = workers(page22)
    code = (
        "import js\nfrom pyodide.ffi import create_proxy\n"
        "js.setTimeout(create_proxy(lambda: 1 / 0), 0)\n\n" + ORIGINAL
    )
    run(page22, SNIPPET, code)
    page22.visit.page.wait_for_function(f"() => window.sima.runtime().workers > {before}")
    assert_recovers(page22, OTHER)


def test_a_worker_kept_busy_after_a_run_is_replaced(page22: Page22) -> None:
    """A callback that never returns stalls the worker: the next run gets a new one."""
    before = workers(page22)
    code = (
        "import js\nfrom pyodide.ffi import create_proxy\n\n\ndef spin():\n    while True:\n"
        "        pass\n\n\njs.setTimeout(create_proxy(spin), 0)\n\n" + ORIGINAL
    )
    result = run(page22, SNIPPET, code)
    assert (result["state"], result["observed"]) == ("ok", CLAIMS[SNIPPET]["claim"])
    assert_recovers(page22, OTHER)
    assert workers(page22) == before + 1
    assert any("did not answer" in m for m in page22.console)


def test_a_handler_printing_a_million_lines_is_cut_with_a_count(page22: Page22) -> None:
    """Its first call prints them (the scenario of this snippet runs one container)."""
    code = (
        "_printed = []\n\ndef handler(event, context):\n    if not _printed:\n"
        "        _printed.append(1)\n        for i in range(10**6):\n            print(i)\n"
        "    return {}\n"
    )
    result = run(page22, FLOOD, code)
    assert result["state"] == "ok"
    output = str(result["output"])
    assert "[1] 499\n[1] [output cut: 999,500 more lines (6,887,000 characters) not shown]" in (
        output
    )
    assert len(output.splitlines()) == 501
    assert_recovers(page22, edited=FLOOD)


def test_every_page_carries_the_policy_for_its_own_inline_scripts(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        head = html[: html.index("</head>")]
        start = head.index('<meta http-equiv="Content-Security-Policy" content="')
        policy = head[start:].split('content="', 1)[1].split('"', 1)[0]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy.split(";")[1]
        assert head.index("<meta charset") < start < head.find("<script")
        for script in inline_scripts(html):
            assert script_hash(script) in policy, path


def test_the_site_works_under_its_policy(
    browser: Browser, built_site: Path, site_server: Served
) -> None:
    """No violation on any kind of page, across instant navigation, search and a run."""
    with opened(browser, site_server) as visit:
        page = visit.page
        violations: list[str] = []

        def violated(what: str) -> None:
            violations.append(what)

        page.expose_function("simaViolation", violated)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "window.simaViolation(e.violatedDirective + ' ' + e.blockedURI))"
        )
        for path in ("", "browse/graph/", "benchmarks/", "reference/lab/", "404.html"):
            visit.goto(path)
            page.wait_for_load_state("networkidle")
        visit.goto("entries/LESS-22/")
        page.locator(".md-content article a.sima-ref[data-ref='LESS-18']").first.click()
        expect(page.locator(".md-content article h1")).to_contain_text("LESS-18")
        page.locator(".md-content article a.sima-ref[data-ref='LESS-22']").first.click()
        expect(page.locator(".md-content article h1")).to_contain_text("LESS-22")
        target = block(visit, OTHER)
        target.locator('[data-action="run"]').click()
        expect(target).to_have_attribute("data-verdict", CLAIMS[OTHER]["claim"], timeout=60_000)
        search(visit, "containers")  # Material's full-text search, in its own worker
        expect(page.locator(".md-search-result__item").first).to_be_visible()
        assert violations == []
        assert visit.foreign() == []
