"""Finding entries in the browser: ID search, keyword search, previews, graph, shortcut."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from browser.conftest import Visit, opened
from conftest import ROOT, Served
from sima.content.catalog import load_catalog
from sima.content.settings import load_settings

CATALOG = load_catalog(load_settings(ROOT / "mkdocs.yml"))
IDS = sorted(CATALOG.entries)


@pytest.fixture(scope="module")
def home(browser: Browser, built_site: object, site_server: Served) -> Iterator[Visit]:
    with opened(browser, site_server) as seen:
        seen.goto("")
        seen.page.wait_for_load_state("networkidle")
        yield seen


def search(visit: Visit, query: str) -> None:
    box = visit.page.locator(".md-search__input")
    if not box.is_visible():
        visit.page.locator("label.md-header__button[for='__search']").click()
    box.fill("")
    box.press_sequentially(query)


def id_hits(visit: Visit) -> list[str]:
    hits = visit.page.locator(".sima-id-hits:not([hidden]) .sima-id-hit")
    return [str(h.get_attribute("data-ref")) for h in hits.all()]


@pytest.mark.parametrize("ref_id", IDS)
def test_every_spelling_of_an_id_lists_it_first(home: Visit, ref_id: str) -> None:
    spellings = {ref_id, ref_id.lower().replace("-", ""), ref_id.lower().replace("-", " ")}
    for spelling in sorted(spellings):
        search(home, spelling)
        first = home.page.locator(".sima-id-hits:not([hidden]) .sima-id-hit").first
        expect(first).to_have_attribute("data-ref", ref_id)


def test_enter_opens_the_entry_without_a_reload(visit: Visit) -> None:
    visit.goto("")
    visit.page.evaluate("window.__kept = 'yes'")
    search(visit, "less 22")
    expect(visit.page.locator(".sima-id-hit").first).to_have_attribute("data-ref", "LESS-22")
    visit.page.keyboard.press("Enter")
    expect(visit.page.locator(".md-content article h1")).to_contain_text("LESS-22")
    assert visit.page.url.endswith("/entries/LESS-22/")
    assert visit.page.evaluate("window.__kept") == "yes"


def test_a_partial_id_lists_the_matching_ids(home: Visit) -> None:
    search(home, "LESS-2")
    expect(home.page.locator(".sima-id-hit").first).to_be_visible()
    assert id_hits(home) == [i for i in IDS if i.startswith("LESS-2")]


def test_words_still_use_full_text_search(home: Visit) -> None:
    search(home, "less")  # a word, not an ID: no ID list
    expect(home.page.locator(".md-search-result__item").first).to_be_visible()
    assert id_hits(home) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cold start", "LESS-22"),
        ("container lifecycle", "LESS-22"),
        ("memory management", "LESS-22"),
    ],
)
def test_keyword_queries_find_their_entries(home: Visit, query: str, expected: str) -> None:
    search(home, query)
    results = home.page.locator(".md-search-result__item > a")
    # Wait for the results of the whole query, not of the previous query or of a part
    # typed so far (Material marks each result link with the highlighted terms:
    # ?h=cold+start; on a busy machine "memory m" can still be showing).
    terms = re.escape("+".join(query.split()))
    expect(results.first).to_have_attribute("href", re.compile(rf"[?&]h={terms}(#|&|$)"))
    top = [str(a.get_attribute("href")) for a in results.all()[:5]]
    assert any(f"entries/{expected}/" in href for href in top), top


INDEX = "search/search_index.json"


def index_requests(visit: Visit) -> int:
    return sum(1 for u in visit.requests if u.split("?")[0].endswith(INDEX))


def test_the_search_index_waits_until_a_reader_is_about_to_search(visit: Visit) -> None:
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    visit.page.mouse.wheel(0, 1500)  # reading and scrolling are not searching
    visit.page.wait_for_timeout(300)
    assert index_requests(visit) == 0
    visit.page.keyboard.press("/")  # Material's key: opens the search and focuses it
    box = visit.page.locator(".md-search__input")
    expect(box).to_be_focused()
    box.press_sequentially("cold start")
    results = visit.page.locator(".md-search-result__item > a")
    expect(results.first).to_have_attribute("href", re.compile(r"[?&]h=cold\b"))
    assert index_requests(visit) == 1


def test_a_page_opened_from_a_result_highlights_its_words_at_once(visit: Visit) -> None:
    visit.goto("entries/LESS-22/?h=stateless")
    expect(visit.page.locator(".md-content mark").first).to_be_visible()
    assert index_requests(visit) == 1


def test_keywords_on_an_entry_link_to_their_pages(visit: Visit) -> None:
    visit.goto("entries/LESS-22/")
    visit.page.locator(".sima-keyword", has_text="cold-start").click()
    expect(visit.page.locator(".md-content article h1")).to_contain_text("Keyword: cold-start")
    expect(visit.page.locator(".md-content article a.sima-ref[data-ref='LESS-22']")).to_be_visible()


def test_preview_shows_on_hover_and_on_focus(visit: Visit) -> None:
    visit.goto("entries/LESS-22/")
    link = visit.page.locator(".md-content article a.sima-ref[data-ref='INT-09']").first
    link.hover()
    preview = visit.page.locator("#sima-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(f"INT-09: {CATALOG.entries['INT-09'].title}")
    expect(preview).to_contain_text(CATALOG.entries["INT-09"].meta.type)
    visit.page.mouse.move(0, 0)
    expect(preview).to_be_hidden()
    other = visit.page.locator(".md-content article a.sima-ref[data-ref='LESS-29']").first
    other.focus()
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("LESS-29")
    assert other.get_attribute("aria-describedby") == "sima-preview"
    visit.page.keyboard.press("Escape")
    expect(preview).to_be_hidden()


def test_graph_page_lists_and_draws_every_entry(visit: Visit) -> None:
    visit.goto("browse/graph/")
    body = visit.page.locator(".md-content article")
    drawn = body.locator("svg a.sima-node")
    assert sorted(str(a.get_attribute("xlink:href")).split("/")[-2] for a in drawn.all()) == IDS
    listed = {str(a.get_attribute("data-ref")) for a in body.locator("li a.sima-ref").all()}
    assert listed == set(IDS)


def test_go_to_id_shortcut_opens_search_with_the_prefix(visit: Visit) -> None:
    visit.goto("entries/ARCH-02/")
    visit.page.locator("body").press("i")
    box = visit.page.locator(".md-search__input")
    expect(box).to_be_focused()
    expect(box).to_have_value("ARCH-")
    expect(visit.page.locator(".sima-id-hit").first).to_have_attribute("data-ref", "ARCH-02")


def test_graph_nodes_navigate_instantly(visit: Visit) -> None:
    """SVG links go through instant navigation too (Material cannot rewrite them)."""
    visit.goto("browse/graph/")
    visit.page.evaluate("window.__kept = 'yes'")
    visit.page.locator("svg a.sima-node", has_text="LESS-22").click()
    expect(visit.page.locator(".md-content article h1")).to_contain_text("LESS-22")
    assert visit.page.evaluate("window.__kept") == "yes"
    node = visit.page.locator(".sima-graph svg a.sima-node", has_text="LESS-18").first
    node.focus()
    visit.page.keyboard.press("Enter")
    expect(visit.page.locator(".md-content article h1")).to_contain_text("LESS-18")
    assert visit.page.evaluate("window.__kept") == "yes"
