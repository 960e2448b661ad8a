"""The timeline in the page: redrawn after each Run, rows on focus, and the Diff button."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, expect

from browser.conftest import Visit, opened
from conftest import ROOT, Served

LESS22 = ROOT / "snippets/LESS-22"
LEAK = "mistake1_user_sessions"
FIX = "mistake1_request_scoped"


def block(visit: Visit, name: str) -> Locator:
    return visit.page.locator(f'[data-snippet="LESS-22/{name}"]')


@pytest.fixture(scope="module")
def page(browser: Browser, built_site: Path, site_server: Served) -> Iterator[Visit]:
    with opened(browser, site_server) as seen:
        seen.goto("entries/LESS-22/")
        seen.page.wait_for_load_state("networkidle")
        yield seen


def drawn(visit: Visit, name: str) -> Locator:
    """The block's timeline figure, brought into view as a reader scrolls to it, once
    the page has put its drawing in (it is fetched when the block nears the view)."""
    figure = block(visit, name).locator("figure[data-timeline]")
    figure.scroll_into_view_if_needed()
    expect(figure.locator("svg[data-sima-picture]")).to_have_count(0)
    expect(figure.locator("[data-invocation]").first).to_be_attached()
    return figure


def run(visit: Visit, name: str, code: str) -> dict[str, object]:
    target = block(visit, name).element_handle()
    visit.page.evaluate("([b, t]) => window.sima.setCode(b, t)", [target, code])
    result: dict[str, object] = visit.page.evaluate("b => window.sima.run(b)", target)
    return result


def test_a_fixing_edit_removes_the_carried_state_from_the_picture(page: Visit) -> None:
    figure = drawn(page, LEAK)
    links = figure.locator("[data-carried-from]")
    expect(figure).to_have_attribute("data-runs", "0")
    expect(links).to_have_count(3)
    fixed = (LESS22 / f"{FIX}.py").read_text(encoding="utf-8")
    result = run(page, LEAK, fixed)
    assert result["observed"] == "good"
    expect(figure).to_have_attribute("data-runs", "1")
    expect(links).to_have_count(0)
    expect(figure.locator("[data-invocation]")).to_have_count(5)
    expect(figure.locator("svg")).to_have_attribute("aria-label", re.compile("the check passed"))

    leaky = (LESS22 / f"{LEAK}.py").read_text(encoding="utf-8")
    result = run(page, LEAK, leaky)
    assert result["observed"] == "bad"
    expect(figure).to_have_attribute("data-runs", "2")
    expect(links).to_have_count(3)
    assert figure.locator('[data-carried-from="2"]').get_attribute("data-carried-to") == "3"

    page.page.evaluate("b => window.sima.reset(b)", block(page, LEAK).element_handle())
    expect(links).to_have_count(3)  # the picture drawn at build time is back
    expect(figure).to_have_attribute("data-runs", "2")


def test_focus_shows_the_row_and_arrows_move_along_the_invocations(page: Visit) -> None:
    figure = drawn(page, LEAK)
    row = figure.locator(".sima-tl-row")
    first = figure.locator('[data-invocation="1"]')
    expect(first).to_have_attribute("tabindex", "0")
    first.focus()
    expect(row).to_have_text(first.locator("title").text_content() or "")
    assert (row.text_content() or "").startswith("#1 c1 cold")
    page.page.keyboard.press("ArrowRight")
    expect(row).to_contain_text("#2 c2 cold")
    expect(figure.locator('[data-invocation="2"]')).to_be_focused()
    page.page.keyboard.press("End")
    expect(row).to_contain_text("#5 c2 warm")
    expect(figure.locator("[tabindex]")).to_have_count(1)  # one tab stop per picture


def test_the_diff_button_shows_the_fix_beside_the_mistake_without_the_runner(visit: Visit) -> None:
    visit.page.route("**/assets/sima/run.js*", lambda route: route.abort())
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    bad, good = block(visit, LEAK), block(visit, FIX)
    button = bad.locator('[data-action="diff"]')
    panel_id = button.get_attribute("aria-controls")
    panel = visit.page.locator(f"#{panel_id}")
    expect(panel).to_be_hidden()
    button.click()
    expect(panel).to_be_visible()
    expect(bad.locator(f"#{panel_id}")).to_have_count(1)  # shown in the block clicked
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(panel.locator(".sima-diff__head")).to_contain_text(f"- {LEAK}.py bad (session-leak)")
    expect(panel.locator(".sima-diff__head")).to_contain_text(f"+ {FIX}.py good")
    expect(panel.locator("del")).to_contain_text(["- _user_sessions = {}  # module level"])
    expect(panel.locator("ins")).to_contain_text(["+     sessions = {user_id: event}"])

    other = good.locator('[data-action="diff"]')
    other.focus()
    visit.page.keyboard.press("Enter")  # from the other block, by keyboard
    expect(good.locator(f"#{panel_id}")).to_be_visible()
    expect(other).to_have_attribute("aria-expanded", "true")
    expect(button).to_have_attribute("aria-expanded", "false")
    visit.page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    assert visit.page.evaluate("typeof window.sima") == "undefined"  # no runner on the page


# (the service worker asks for the gzipped copy)
LATER = re.compile(r"/entries/LESS-22/index\.later\.json(\.gz)?$")


def later_loads(visit: Visit) -> int:
    return sum(1 for u in visit.requests if u.endswith("/entries/LESS-22/index.later.json"))


def test_traces_and_diffs_come_from_the_page_s_later_file_fetched_once(visit: Visit) -> None:
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    assert later_loads(visit) == 0  # nothing of it before a reader opens a part
    trace = block(visit, LEAK).locator("details.sima-trace")
    trace.locator("summary").click()
    expect(trace.locator("pre > code")).to_contain_text("container")
    expect(trace.locator("template")).to_have_count(0)
    other = block(visit, FIX).locator("details.sima-trace")
    other.locator("summary").click()
    expect(other.locator("pre > code")).to_contain_text("container")
    block(visit, FIX).locator('[data-action="diff"]').click()
    expect(visit.page.locator(".sima-diff__head").first).to_be_visible()
    assert later_loads(visit) == 1


def test_a_later_file_that_cannot_be_read_is_said_and_the_page_goes_on(visit: Visit) -> None:
    warnings: list[str] = []
    visit.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    # (the context's routes see the service worker's requests too)
    visit.page.context.route(LATER, lambda route: route.fulfill(status=404, body="gone"))
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    trace = block(visit, LEAK).locator("details.sima-trace")
    trace.locator("summary").click()
    expect(trace.locator(".sima-later-failed")).to_contain_text("could not be loaded")
    assert any("index.later.json could not be read" in w for w in warnings), warnings
    visit.page.context.unroute(LATER)
    other = block(visit, FIX).locator("details.sima-trace")
    other.locator("summary").click()  # the next opening tries again
    expect(other.locator("pre > code")).to_contain_text("container")


PICTURE = re.compile(r"/entries/LESS-22/index\.timeline-\d+\.svg$")


def picture_loads(visit: Visit) -> list[str]:
    return [u for u in visit.requests if PICTURE.search(u)]


def test_a_timeline_is_fetched_when_its_block_nears_the_view_and_nothing_moves(
    visit: Visit,
) -> None:
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    figures = visit.page.locator("figure[data-timeline]")
    total = figures.count()
    loaded = len(picture_loads(visit))
    assert 0 < loaded < total  # those near the top only
    last = figures.last
    empty = last.locator("svg[data-sima-picture]")
    expect(empty).to_have_attribute("aria-label", re.compile("^Timeline of"))
    height = last.evaluate("e => e.getBoundingClientRect().height")
    last.scroll_into_view_if_needed()
    expect(empty).to_have_count(0)
    expect(last.locator("[data-invocation]").first).to_be_attached()
    assert last.evaluate("e => e.getBoundingClientRect().height") == height
    assert len(picture_loads(visit)) > loaded
    assert len(set(picture_loads(visit))) == len(picture_loads(visit))  # each once
