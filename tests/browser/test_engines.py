"""The site in every reader's engine: Chromium, Firefox and WebKit (Safari's) each run
these tests: the runner (a run's verdict, an edit's, Stop, the time limit, Reset, a
failed load and Retry, the snapshot and its fallback), the ID search, previews, the
graph, keyboard shortcuts and instant navigation.

Every step is a page-side function or a real input (see engines.py), the same in every
engine. Each test gets the built site on a port of its own: a new origin, so that no
HTTP cache, service worker or storage of an earlier test is there, and one page per
engine serves the session. That server also says what it sent and can be told to
refuse a file or answer it otherwise (the request routing only Playwright has).
"""

from __future__ import annotations

import gzip
import re
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browser.engines import ENGINES, Engine, launched
from conftest import ROOT, RUN_TIMEOUT, Site, serving
from sima.content.catalog import load_catalog
from sima.content.settings import load_settings

LESS22 = ROOT / "snippets/LESS-22"
CLAIMS = tomllib.loads((LESS22 / "claims.toml").read_text(encoding="utf-8"))
CATALOG = load_catalog(load_settings(ROOT / "mkdocs.yml"))
IDS = sorted(CATALOG.entries)

RUNTIME = re.compile(r"/assets/pyodide/")
STDLIB = re.compile(r"/python_stdlib-[0-9a-f]{12}\.zip(\.gz)?$")
SNAPSHOT = re.compile(r"/assets/pyodide/snapshot-[0-9a-f]{12}\.bin\.gz$")
WHEEL = re.compile(r"/sima_lab-[^/]*\.whl$")
#: Code that runs far past the time limit, then ends. Not `while True: pass`: in
#: WebKitGTK 2.50, Worker.terminate() does not stop a worker while it runs
#: WebAssembly that never calls out to JavaScript, and that loop is such code: the
#: replaced worker would spin on, through page loads, for the rest of the session.
#: This loop calls out (time.monotonic() is JavaScript's clock) at every turn.
LOOP = "import time\n\nend = time.monotonic() + 10\nwhile time.monotonic() < end:\n    pass\n"
#: The longest a Python load and a run may take here (2 cores shared with other work).
LOAD_S = 90


def source(name: str) -> str:
    return (LESS22 / f"{name}.py").read_text(encoding="utf-8")


def verdict(result: dict[str, Any]) -> tuple[object, object, object]:
    """A run's state (ok, error, timeout), what the check observed (good, bad) and
    whether that is what the claim says (pass, fail)."""
    return result.get("state"), result.get("observed"), result.get("status")


# -- the page -----------------------------------------------------------------------------


def snippet(name: str) -> str:
    """The selector of a LESS-22 block."""
    return f'[data-snippet="LESS-22/{name}"]'


def link(ref_id: str) -> str:
    """The selector of the article's ID links to `ref_id`."""
    return f".md-content article a.sima-ref[data-ref='{ref_id}']"


def node(ref_id: str) -> str:
    """The selector of a graph's node for `ref_id` (an SVG link: xlink:href)."""
    return f'svg a.sima-node[*|href$="/{ref_id}/"]'


SEARCH = ".md-search__input"

#: Calls the predicate (a function's source, put in place of TEST) until it returns
#: something truthy, and returns that; null after `ms`.
UNTIL = """async ([arg, ms]) => {
  const test = TEST;
  const end = performance.now() + ms;
  for (;;) {
    const value = await test(arg);
    if (value) return value;
    if (performance.now() > end) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}"""

#: A block as the reader sees it.
BLOCK = """(selector) => {
  const block = document.querySelector(selector);
  const editor = block.querySelector(".cm-content");
  return {
    state: block.dataset.state || null,
    verdict: block.dataset.verdict || null,
    status: block.querySelector(".sima-run__status").textContent,
    code: editor ? editor.innerText : null,
    retry: Boolean(block.querySelector('[data-action="retry"]')),
  };
}"""

SET_CODE = """([selector, code]) => window.sima.setCode(document.querySelector(selector), code)"""

RUN = """async ([selector, code]) => {
  const block = document.querySelector(selector);
  if (code !== null) await window.sima.setCode(block, code);
  return window.sima.run(block);
}"""

#: The block's run has ended (and not the one before a Retry: that button goes when
#: the new run starts).
SETTLED = """(selector) => {
  const block = document.querySelector(selector);
  const retry = block.querySelector('[data-action="retry"]');
  return ["ok", "error", "timeout"].includes(block.dataset.state) && !retry;
}"""

HEADING = """(text) => {
  const h1 = document.querySelector(".md-content article h1");
  return Boolean(h1 && h1.textContent.includes(text));
}"""

SHOWN = """(selector) => {
  const found = document.querySelector(selector);
  return found && found.checkVisibility() ? found.textContent : null;
}"""

#: The ID the search lists first, if it lists any.
FIRST_HIT = """() => {
  const hit = document.querySelector(".sima-id-hits:not([hidden]) .sima-id-hit");
  return hit && hit.dataset.ref;
}"""

KEEP = "() => { window.__kept = 'yes'; }"
KEPT = "() => window.__kept"  # 'yes' while no page load came between


@dataclass
class Tab:
    """The engine's page on this test's site, and the steps the tests take on it."""

    engine: Engine
    site: Site

    def open(self, path: str) -> None:
        self.engine.goto(self.site.url + path)

    def js(self, source: str, arg: object = None) -> Any:
        return self.engine.evaluate(source, arg)

    def until(self, predicate: str, arg: object = None, timeout: float = 15) -> Any:
        """What `predicate` returns once it is truthy, within `timeout` seconds."""
        found = self.js(UNTIL.replace("TEST", predicate), [arg, timeout * 1000])
        console = self.engine.console()
        assert found, f"{self.engine.name}, not within {timeout} s: {predicate} ({arg!r}) {console}"
        return found

    def focus(self, selector: str) -> None:
        self.js("(s) => document.querySelector(s).focus()", selector)

    def block(self, name: str) -> dict[str, Any]:
        seen: dict[str, Any] = self.js(BLOCK, snippet(name))
        return seen

    def run(self, name: str, code: str | None = None) -> dict[str, Any]:
        """Set the code (if given) and run it through the page's own API: its result."""
        result: dict[str, Any] = self.js(RUN, [snippet(name), code])
        return result

    def press_button(self, name: str, action: str) -> None:
        """Click the block's Run, Stop, Reset or Retry."""
        self.engine.click(f'{snippet(name)} [data-action="{action}"]')

    def settled(self, name: str) -> dict[str, Any]:
        """The block once its run has ended."""
        self.until(SETTLED, snippet(name), timeout=LOAD_S)
        return self.block(name)

    def heading(self, text: str) -> None:
        self.until(HEADING, text)

    def shown(self, selector: str) -> str:
        """The text of the element `selector` once it is visible."""
        text: str = self.until(SHOWN, selector)
        return text

    def hidden(self, selector: str) -> None:
        self.until(f"(s) => !({SHOWN})(s)", selector)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """One page of each engine for the session (pytest runs the tests engine by engine)."""
    with launched(request.param, lambda: request.getfixturevalue("browser")) as started:
        yield started


@pytest.fixture
def tab(engine: Engine, built_site: Path) -> Iterator[Tab]:
    engine.console()  # (what earlier tests left)
    with serving(built_site) as site:
        yield Tab(engine, site)
        engine.goto("about:blank")  # its workers end with it, before the server does


# -- the runner -----------------------------------------------------------------------------


def test_a_run_shows_the_claim_and_an_edit_or_reset_changes_the_verdict(tab: Tab) -> None:
    tab.open("entries/LESS-22/")
    assert tab.site.requested(RUNTIME) == []  # nothing of Python before a reader asks
    assert tab.js("() => window.sima.runtime().status") == "idle"

    tab.press_button("mistake1_user_sessions", "run")
    seen = tab.settled("mistake1_user_sessions")
    assert (seen["state"], seen["verdict"]) == ("ok", "bad"), seen
    assert "The lab observed what the claim says (bad (session-leak))" in seen["status"]
    good = tab.run("mistake1_request_scoped")
    assert verdict(good) == ("ok", "good", "pass"), good

    fixed = tab.run("mistake1_user_sessions", source("mistake1_request_scoped"))
    assert verdict(fixed) == ("ok", "good", "fail"), fixed
    seen = tab.block("mistake1_user_sessions")
    assert seen["verdict"] == "good"
    assert "your change fixed the pattern" in seen["status"]

    tab.press_button("mistake1_user_sessions", "reset")
    tab.until("(s) => !document.querySelector(s).dataset.state", snippet("mistake1_user_sessions"))
    assert "_user_sessions = {}" in tab.block("mistake1_user_sessions")["code"]
    again = tab.run("mistake1_user_sessions")
    assert verdict(again) == ("ok", "bad", "pass"), again


def test_keys_run_and_leave_the_editor_and_python_outlives_instant_navigation(
    tab: Tab,
) -> None:
    name = "lifecycle_cold_warm"
    tab.open("entries/LESS-22/")
    tab.js(KEEP)
    tab.engine.click(f"{snippet(name)} > .highlight td.code")  # the static code: an editor
    tab.until("() => Boolean(document.activeElement.closest('.cm-content'))")
    tab.engine.press("Control+Enter")
    seen = tab.settled(name)
    assert (seen["state"], seen["verdict"]) == ("ok", CLAIMS[name]["claim"]), seen
    tab.engine.press("Escape")
    assert tab.js("() => document.activeElement.dataset.action") == "run"

    tab.engine.click(link("LESS-18"))
    tab.heading("LESS-18")
    tab.engine.click(link("LESS-22"))
    tab.heading("LESS-22")
    result = tab.run("mistake1_user_sessions")
    assert verdict(result) == ("ok", "bad", "pass"), result
    assert tab.js(KEPT) == "yes"
    assert tab.js("() => window.sima.runtime().workers") == 1


def test_the_time_limit_and_stop_end_a_run_and_python_starts_afresh(tab: Tab) -> None:
    tab.open("entries/LESS-22/")
    result = tab.run("mistake1_user_sessions", LOOP)
    assert result["state"] == "timeout", result
    assert f"Stopped after {RUN_TIMEOUT} s" in tab.block("mistake1_user_sessions")["status"]

    other = "mistake1_request_scoped"
    tab.js(SET_CODE, [snippet(other), LOOP])
    tab.press_button(other, "run")
    tab.until("() => window.sima.runtime().status === 'ready'", timeout=LOAD_S)
    assert tab.block(other)["state"] == "running"
    time.sleep(0.3)  # (the loop has started)
    tab.press_button(other, "stop")
    seen = tab.settled(other)
    assert seen["state"] == "error" and "Stopped." in seen["status"], seen

    tab.press_button(other, "reset")
    result = tab.run(other)
    assert verdict(result) == ("ok", "good", "pass"), result
    assert tab.js("() => window.sima.runtime().workers") == 3  # Python started afresh twice


def test_a_failed_load_says_so_and_retry_loads_python(tab: Tab) -> None:
    name = "mistake1_request_scoped"
    tab.site.refuse(STDLIB)
    tab.open("entries/LESS-22/")
    result = tab.run(name)
    assert result["state"] == "error", result
    seen = tab.block(name)
    assert seen["status"].startswith("Could not") and seen["retry"], seen
    assert tab.site.requested(STDLIB)

    tab.site.allow(STDLIB)
    tab.press_button(name, "retry")
    seen = tab.settled(name)
    assert (seen["state"], seen["verdict"]) == ("ok", "good"), seen


@pytest.mark.parametrize("snapshot", ["restored", "missing", "broken"])
def test_python_restores_the_snapshot_or_falls_back_to_the_plain_load(
    tab: Tab, snapshot: str
) -> None:
    """Restored: the lab comes from the snapshot (its wheel is never fetched). Missing
    (HTTP 404) or not a snapshot of this build: the plain load, wheel and all."""
    if snapshot == "missing":
        tab.site.answer(SNAPSHOT, 404, b"not found")
    elif snapshot == "broken":
        tab.site.answer(SNAPSHOT, 200, gzip.compress(b"\0" * 4096))
    tab.open("entries/LESS-22/")
    tab.js("() => { window.SIMA_SNAPSHOT = 'always'; }")  # (read when Python starts)
    result = tab.run("mistake1_request_scoped")
    assert verdict(result) == ("ok", "good", "pass"), result
    assert tab.site.requested(SNAPSHOT)
    wheel = tab.site.requested(WHEEL)
    assert bool(wheel) == (snapshot != "restored"), (wheel, tab.engine.console())


# -- finding entries ------------------------------------------------------------------------


def test_the_id_search_finds_every_spelling_and_enter_opens_the_entry(tab: Tab) -> None:
    tab.open("")
    tab.js(KEEP)
    tab.engine.click(SEARCH)
    for spelling in ["LESS-22", "less22", "less 22"]:
        tab.js("(s) => { document.querySelector(s).value = ''; }", SEARCH)
        tab.engine.type(spelling)
        tab.until(f"() => ({FIRST_HIT})() === 'LESS-22'")
    tab.engine.press("Enter")
    tab.heading("LESS-22")
    assert tab.js("() => location.pathname") == "/entries/LESS-22/"
    assert tab.js(KEPT) == "yes"


def test_the_go_to_id_key_opens_the_search_with_the_prefix(tab: Tab) -> None:
    tab.open("entries/ARCH-02/")
    tab.engine.press("i")
    tab.until("(s) => document.activeElement.matches(s)", SEARCH)
    assert tab.js("(s) => document.querySelector(s).value", SEARCH) == "ARCH-"
    tab.until(f"() => ({FIRST_HIT})() === 'ARCH-02'")


def test_previews_show_on_hover_and_on_focus(tab: Tab) -> None:
    tab.open("entries/LESS-22/")
    tab.engine.hover(link("INT-09"))
    assert f"INT-09: {CATALOG.entries['INT-09'].title}" in tab.shown("#sima-preview")
    tab.engine.hover(".md-content article h1")
    tab.hidden("#sima-preview")

    tab.focus(link("LESS-29"))
    assert "LESS-29" in tab.shown("#sima-preview")
    described = tab.js(
        "(s) => document.querySelector(s).getAttribute('aria-describedby')", link("LESS-29")
    )
    assert described == "sima-preview"
    tab.engine.press("Escape")
    tab.hidden("#sima-preview")


NODES = """() => [...document.querySelectorAll("svg a.sima-node")]
  .map((a) => a.getAttribute("xlink:href").split("/").slice(-2)[0])"""
LISTED = """() => [...document.querySelectorAll(".md-content article li a.sima-ref")]
  .map((a) => a.dataset.ref)"""


def test_the_graph_draws_every_entry_and_its_nodes_navigate_instantly(tab: Tab) -> None:
    tab.open("browse/graph/")
    assert sorted(tab.js(NODES)) == IDS
    assert set(tab.js(LISTED)) == set(IDS)
    tab.js(KEEP)
    tab.engine.click(node("LESS-22"))
    tab.heading("LESS-22")
    tab.focus(f".sima-graph {node('LESS-18')}")  # the entry's own graph, by keyboard
    tab.engine.press("Enter")
    tab.heading("LESS-18")
    assert tab.js(KEPT) == "yes"
