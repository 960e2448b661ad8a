"""The site in a real browser: self-contained, dark mode, instant navigation, sorting."""

from __future__ import annotations

from playwright.sync_api import expect

from browser.conftest import Visit


def test_pages_load_nothing_from_another_host(visit: Visit) -> None:
    for path in ["", "entries/LESS-22/", "browse/", "authoring/", "reference/lab/"]:
        visit.goto(path)
        visit.page.wait_for_load_state("networkidle")
    assert visit.requests, "the recorder saw nothing"
    assert visit.foreign() == []


def test_dark_mode_toggle_switches_the_palette(visit: Visit) -> None:
    visit.goto("entries/LESS-22/")
    body = visit.page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    visit.page.locator("label[title='Switch to dark mode']:visible").click()
    expect(body).to_have_attribute("data-md-color-scheme", "slate")


def test_id_links_navigate_instantly(visit: Visit) -> None:
    """Following an ID link swaps the page without a reload (Pyodide survives this)."""
    visit.goto("entries/LESS-22/")
    visit.page.evaluate("window.__kept = 'still here'")
    visit.page.locator(".md-content article a.sima-ref[data-ref='LESS-18']").first.click()
    expect(visit.page.locator(".md-content article h1")).to_contain_text("LESS-18")
    assert visit.page.evaluate("window.__kept") == "still here"


def test_entry_table_sorts_by_keyboard(visit: Visit) -> None:
    visit.goto("browse/")
    table = visit.page.locator(".sima-table table")
    first_ids = table.locator("tbody tr td:first-child")
    ids = first_ids.all_inner_texts()
    heading = table.locator("th", has_text="ID")
    heading.focus()
    visit.page.keyboard.press("Enter")
    visit.page.keyboard.press("Enter")  # second press: descending
    expect(first_ids.first).to_have_text(max(ids))
    assert first_ids.all_inner_texts() == sorted(ids, reverse=True)
