"""The script that holds Material's search index goes in before Material's bundle."""

from __future__ import annotations

from sima.site.search_hold import HOLD_SCRIPT, hold_search_index

PAGE = (
    "<html><head></head><body><article>text</article>"
    '<script src="../../assets/javascripts/bundle.a5f9d56c.min.js"></script>'
    '<script src="../../assets/sima/site.js" type="module"></script></body></html>'
)


def test_the_hold_script_comes_right_before_the_bundle_with_the_same_root() -> None:
    out = hold_search_index(PAGE)
    hold = f'<script src="../../{HOLD_SCRIPT}"></script>'
    assert out.replace(hold, "") == PAGE
    assert out.index(hold) + len(hold) == out.index('<script src="../../assets/javascripts/bundle')


def test_a_page_without_material_s_bundle_is_left_as_it_is() -> None:
    html = "<html><body><script src='x.js'></script></body></html>"
    assert hold_search_index(html) == html


def test_a_page_is_held_once() -> None:
    once = hold_search_index(PAGE)
    assert hold_search_index(once) == once
