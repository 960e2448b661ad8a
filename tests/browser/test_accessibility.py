"""Accessibility in the browser: axe-core finds no serious or critical violation on
any kind of page in either palette, no page scrolls sideways on a phone, and the
runner can be used by keyboard and followed by a screen reader.

axe-core is the npm package (pinned in package.json), injected from node_modules.
Playwright injects it as an inline script, which the page's Content-Security-Policy
(tools/sima/site/csp.py) refuses, so the contexts that run axe bypass the policy; nothing
else differs (the policy itself is tested in test_containment.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page, ViewportSize, expect

from browser.conftest import Visit
from conftest import ROOT, Project, Served, run_mkdocs, serve

AXE = ROOT / "node_modules/axe-core/axe.min.js"
#: One page of each kind on the real site (the planned stub comes from `stub_site`).
PAGES = {
    "home": "",
    "entry": "entries/LESS-22/",
    "browse": "browse/",
    "keyword": "browse/keywords/cold-start/",
    "graph": "browse/graph/",
    "authoring": "authoring/",
    "benchmarks": "benchmarks/",
    "lab reference": "reference/lab/",
}
STUB = "entries/LESS-02/"
SNIPPET = '[data-snippet="LESS-22/lifecycle_cold_warm"]'
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
#: What a reader has once every snippet block has come into view.
RENDER_ALL = ".md-typeset .sima-snippet[data-snippet] { content-visibility: visible !important }"
#: Resolves after the next layout (and the ResizeObservers it feeds) has run.
AFTER_LAYOUT = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
#: Material's palettes (mkdocs.yml), by the name the reports use.
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def stub_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small knowledge base with a planned entry (the real one has none), themed as
    the real site is: its mkdocs.yml's theme and Markdown extensions."""
    project = Project(tmp_path_factory.mktemp("stub-kb"))
    project.entry("LESS-01", "A written entry", "The next step is LESS-02, not written yet.")
    project.entry("LESS-02", "A planned entry", status="Planned", summary="What it will say.")

    class Tolerant(yaml.SafeLoader):
        """Reads mkdocs.yml's `!ENV` tags as nothing (only the theme is used)."""

    Tolerant.add_constructor("!ENV", lambda loader, node: None)
    real = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Tolerant)
    server, url = serve(project.root / "site")
    config = {
        "site_name": "Stub KB",
        "site_url": url,
        "theme": real["theme"],
        "markdown_extensions": real["markdown_extensions"],
        "plugins": [
            "search",
            {
                "sima": {
                    "node_modules": str(ROOT / "node_modules"),
                    "prefixes": {"LESS": "Lesson"},
                    "runner": False,  # (a stub has no snippets; building the runtime is slow)
                }
            },
        ],
    }
    (project.root / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")
    built = run_mkdocs(project.root / "mkdocs.yml", "build", "--strict")
    assert built.returncode == 0, built.stderr
    assert "Planned entry" in (project.root / "site" / STUB / "index.html").read_text("utf-8")
    yield url
    server.shutdown()
    server.server_close()


@dataclass
class Audit:
    """A page that can run axe on the site's pages and on the stub's."""

    page: Page
    site: str
    stub: str

    def open(self, kind: str) -> None:
        """Open the page of that kind as a reader would see all of it: every <details>
        open (traces, API docs) and, on the entry, one snippet turned into its editor."""
        self.page.goto(self.stub + STUB if kind == "planned stub" else self.site + PAGES[kind])
        self.page.wait_for_load_state("load")
        if kind == "entry":
            block = self.page.locator(SNIPPET)
            block.locator("> .highlight").focus()  # the static code becomes the editor
            expect(block.locator(".cm-content")).to_be_focused()
        # Snippet blocks out of view are not rendered (`content-visibility: auto`), and
        # axe judges colours by what is painted: render every block, as each is once a
        # reader reaches it, and let the blocks that scroll get their tab stops.
        self.page.add_style_tag(content=RENDER_ALL)
        self.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        # An opened trace puts its table into the page (it waits in a <template> until then).
        self.page.wait_for_function(
            "() => !document.querySelector('details[open] > template[data-sima-later]')"
        )
        self.page.evaluate(AFTER_LAYOUT)

    def palette(self) -> str:
        scheme = self.page.locator("body").get_attribute("data-md-color-scheme")
        return {v: k for k, v in SCHEMES.items()}[str(scheme)]

    def toggle(self) -> str:
        """Switch to the other palette by Material's toggle, as a reader does (Material
        keeps the choice for the site's later pages); return the new palette's name."""
        other = "light" if self.palette() == "dark" else "dark"
        self.page.locator(f"label[title='Switch to {other} mode']:visible").click()
        expect(self.page.locator("body")).to_have_attribute("data-md-color-scheme", SCHEMES[other])
        return other

    def axe(self, **options: Any) -> list[dict[str, Any]]:
        """The serious and critical violations axe finds on the page."""
        if not self.page.evaluate("'axe' in window"):
            self.page.add_script_tag(path=str(AXE))
        result: dict[str, Any] = self.page.evaluate(
            "options => axe.run(document, options)", {"resultTypes": ["violations"], **options}
        )
        checked = {r["id"] for key in ("passes", "violations", "incomplete") for r in result[key]}
        assert checked, "axe checked nothing"
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@contextmanager
def audit(browser: Browser, site: str, stub: str, phone: bool = False) -> Iterator[Audit]:
    # bypass_csp: only so that Playwright may inject axe as an inline script. No service
    # worker: what it caches is not what is audited, and it would load the runtime.
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP,
        is_mobile=phone,
        has_touch=phone,
        bypass_csp=True,
        service_workers="block",
    )
    # Nor Python: scrolling a page with snippets starts loading it, which would take the
    # CPU from axe; the audit needs none of it (the runner stays as it was).
    context.route("**/assets/pyodide/**", lambda route: route.abort())
    try:
        yield Audit(context.new_page(), site, stub)
    finally:
        context.close()


KINDS = [*PAGES, "planned stub"]


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    """Each violation: the page kind, its rule, impact, count and first few targets."""
    lines = []
    for kind, violations in found.items():
        for v in violations:
            targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            lines.append(f"{kind}: {v['id']} ({v['impact']}) x{len(v['nodes'])}: {targets}")
    return "\n".join(lines)


def test_no_serious_violation_on_any_kind_of_page_in_either_palette(
    browser: Browser, built_site: Path, site_server: Served, stub_site: str
) -> None:
    """axe on each page in the palette it opens in, then again after the toggle."""
    found: dict[str, list[dict[str, Any]]] = {}
    with audit(browser, site_server.url, stub_site) as pages:
        for kind in KINDS:
            pages.open(kind)
            first = pages.palette()
            found[f"{kind}, {first}"] = pages.axe()
            second = pages.toggle()
            found[f"{kind}, {second}"] = pages.axe()
    assert len(found) == 2 * len(KINDS)
    if any(found.values()):
        pytest.fail("serious or critical violations:\n" + report(found), pytrace=False)


def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser, built_site: Path, site_server: Served, stub_site: str
) -> None:
    """At 390 px the page keeps its width: wide tables, traces and code scroll inside
    themselves, and each such block can be reached by keyboard to be scrolled (on a
    phone Material gives code blocks no tab stop, and tables never)."""
    wide: dict[str, int] = {}
    unreachable: dict[str, list[dict[str, Any]]] = {}
    with audit(browser, site_server.url, stub_site, phone=True) as pages:
        page = pages.page
        for kind in KINDS:
            pages.open(kind)
            width: int = page.evaluate("document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                wide[kind] = width
            unreachable[kind] = pages.axe(runOnly=["scrollable-region-focusable"])
            if kind == "entry":  # its traces are wider than a phone: they scroll, named
                traces = page.locator(".sima-trace pre > code")
                assert traces.count() > 0
                for trace in traces.all():
                    assert trace.evaluate("e => e.scrollWidth > e.clientWidth")
                    expect(trace).to_have_attribute("tabindex", "0")
                    expect(trace).to_have_attribute("role", "region")
                    expect(trace).to_have_attribute("aria-label", "Trace of the lab's run")
    assert wide == {}
    if any(unreachable.values()):
        pytest.fail(
            "scrolling blocks out of keyboard reach:\n" + report(unreachable), pytrace=False
        )


def contrast(first: str, second: str) -> float:
    """WCAG contrast of two CSS rgb()/rgba() colours (alpha ignored)."""

    def luminance(css: str) -> float:
        channels = [float(c) / 255 for c in re.findall(r"[\d.]+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


#: The focus ring of the focused element (the editor draws it on .cm-editor).
RING = """e => {
  const ring = e.closest('.cm-editor') || e;
  const s = getComputedStyle(ring);
  return {visible: e.matches(':focus-visible'), style: s.outlineStyle,
          width: parseFloat(s.outlineWidth), color: s.outlineColor,
          ground: getComputedStyle(document.body).backgroundColor};
}"""

#: Records what is said through the block's live region: text added or changed
#: anywhere in it except under aria-live="off".
LISTEN = """block => {
  window.simaSaid = [];
  const region = block.querySelector('[role="log"]');
  new MutationObserver(records => {
    for (const r of records) {
      const at = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
      if (at.closest('[aria-live]').getAttribute('aria-live') === 'off') continue;
      const texts = r.type === 'characterData' ? [r.target.data]
        : [...r.addedNodes].map(n => n.textContent);
      window.simaSaid.push(...texts.filter(t => t.trim()));
    }
  }).observe(region, {childList: true, subtree: true, characterData: true});
}"""


def focused(page: Page) -> str:
    """What has the focus: a button's action, or the element's role or class."""
    described: str = page.evaluate(
        "() => { const e = document.activeElement; return e.dataset.action"
        " || (e.closest('.sima-timeline') ? 'timeline' : '')"
        " || e.getAttribute('aria-label') || e.className; }"
    )
    return described


def test_the_runner_works_by_keyboard_and_screen_reader(visit: Visit) -> None:
    page = visit.page
    visit.goto("entries/LESS-22/")
    page.wait_for_load_state("networkidle")
    block = page.locator(SNIPPET)
    run_button = block.locator('[data-action="run"]')
    code = block.locator("> .highlight")
    # The static code is a named region that says how the editor is used and left.
    expect(code).to_have_attribute("role", "region")
    expect(code).to_have_attribute("aria-label", re.compile("^Code of lifecycle_cold_warm.py"))
    hint = page.locator("#" + str(code.get_attribute("aria-describedby")))
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Esc: back to Run")
    expect(hint).to_contain_text("Ctrl+M: Tab moves on")
    page.evaluate(LISTEN, block.element_handle())

    # Run, then the other buttons (Stop is disabled until a run), then the code, which
    # becomes the editor and keeps the description.
    run_button.focus()
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(focused(page))
    editor = block.locator(".cm-content")
    expect(editor).to_be_focused()
    assert order[:2] == ["reset", "copy"]
    expect(editor).to_have_attribute("aria-describedby", str(hint.get_attribute("id")))

    # Ctrl+Enter runs; the verdict is text, said once through the live region, and the
    # report below it is not read out with it.
    page.keyboard.press("Control+Enter")
    expect(block).to_have_attribute("data-state", "ok", timeout=90_000)
    verdict = block.locator(".sima-run__status").inner_text()
    assert verdict.startswith(f"Verdict: {block.get_attribute('data-verdict')}.")
    said: list[str] = page.evaluate("window.simaSaid")
    assert [t for t in said if "verdict" in t.lower()] == [verdict]

    # Out of the editor forward (Ctrl+M, then Tab) past the timeline to the output.
    output = block.locator("pre.sima-run__output")
    expect(output).to_have_attribute("role", "region")
    expect(output).to_have_attribute("aria-label", "Output of lifecycle_cold_warm.py")
    page.keyboard.press("Control+m")
    passed = []
    for _ in range(6):
        page.keyboard.press("Tab")
        if output.evaluate("e => e === document.activeElement"):
            break
        passed.append(focused(page))
    expect(output).to_be_focused()
    assert set(passed) <= {"timeline"}
    # ... and back to Run with Esc, as the hint says.
    editor.focus()
    page.keyboard.press("Escape")
    expect(run_button).to_be_focused()

    # Each of them shows a focus ring, at 3:1 or more on the page, in both palettes.
    for palette in ("light", "dark"):
        if palette == "dark":
            page.locator("label[title='Switch to dark mode']:visible").click()
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
            run_button.focus()
            page.keyboard.press("Shift+Tab")  # the keyboard again, after the click
        for target in (run_button, editor, output):
            target.focus()
            ring = target.evaluate(RING)
            assert ring["visible"], (palette, target)
            assert ring["style"] != "none" and ring["width"] >= 2, (palette, ring)
            assert contrast(ring["color"], ring["ground"]) >= 3, (palette, ring)
