"""The ID normaliser, the ID index, keyword pages and the relation graphs."""

from __future__ import annotations

import json
import re

import pytest

from conftest import Project
from sima.content.catalog import load_catalog
from sima.site.graph import Node, neighbourhood_svg, site_svg, type_classes
from sima.site.id_index import compact, id_index
from sima.site.pages import backlinks_of, keyword_pages, links_out, render_indexes, slot


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("LESS-22", "LESS22"),
        ("less22", "LESS22"),
        ("less 22", "LESS22"),
        ("  Less_22 ", "LESS22"),
        ("lang-py-01", "LANGPY01"),
        ("ARCH-SUGA", "ARCHSUGA"),
        ("LESS-", "LESS"),
    ],
)
def test_every_spelling_of_an_id_compacts_alike(spelling: str, key: str) -> None:
    assert compact(spelling) == key


def small(project: Project) -> None:
    project.entry(
        "LESS-01",
        "First",
        "Cites LANG-PY-01 here.",
        keywords="[cold-start, state]",
        summary='"Short."',
    )
    project.entry("LANG-PY-01", "Python", "Back to LESS-01.", keywords="[state]")
    project.entry("LESS-02", "Stub", status="Planned")


def test_id_index_has_every_entry_with_its_compact_key_and_url(project: Project) -> None:
    small(project)
    index = id_index(load_catalog(project.settings))
    json.dumps(index)  # shipped as JSON
    records = {r["id"]: r for r in index["entries"]}
    assert list(records) == ["LANG-PY-01", "LESS-01", "LESS-02"]
    assert records["LANG-PY-01"]["key"] == "LANGPY01"
    assert records["LESS-01"]["url"] == "entries/LESS-01/"
    assert records["LESS-01"]["summary"] == "Short."
    assert records["LESS-02"]["planned"] is True
    # Longest first, so that a longer prefix wins over one it starts with.
    assert index["prefixes"] == ["ARCH", "LANG", "LESS", "DEC", "INT"]
    plain = id_index(load_catalog(project.settings), use_directory_urls=False)
    assert plain["entries"][0]["url"] == "entries/LANG-PY-01.html"


def test_each_keyword_has_a_page_listing_its_entries(project: Project) -> None:
    small(project)
    pages = {p.uri: p.inserts for p in keyword_pages(load_catalog(project.settings))}
    assert set(pages) == {
        "browse/keywords.md",
        "browse/keywords/cold-start.md",
        "browse/keywords/state.md",
    }
    assert '<a href="state/">state</a> (2)' in pages["browse/keywords.md"]["keywords"]
    state = pages["browse/keywords/state.md"]["entries"]
    assert 'data-ref="LESS-01"' in state and 'data-ref="LANG-PY-01"' in state
    assert "LESS-02" not in state


def test_neighbourhood_shows_who_links_in_and_out(project: Project) -> None:
    small(project)
    catalog = load_catalog(project.settings)
    backlinks = backlinks_of(catalog)
    assert links_out(backlinks) == {"LESS-01": ["LANG-PY-01"], "LANG-PY-01": ["LESS-01"]}
    classes = type_classes(["Lesson Learned", "Language Pattern"])
    centre = Node("LESS-01", "First", "Lesson Learned", "../LESS-01/")
    other = Node("LANG-PY-01", "Py <thon>", "Language Pattern", "../LANG-PY-01/")
    svg = neighbourhood_svg(centre, [other], [other], classes)
    assert svg.count('xlink:href="../LANG-PY-01/"') == 2
    assert "Py &lt;thon&gt;" in svg  # titles are escaped
    assert svg.count("<line") == 2
    assert 'class="sima-node sima-node--t1 sima-node--centre"' in svg


def test_site_graph_has_every_entry_and_link(project: Project) -> None:
    small(project)
    catalog = load_catalog(project.settings)
    graph = next(p for p in render_indexes(catalog) if p.uri == "browse/graph.md")
    assert "All 3 entries and the 2 links between them." in graph.markdown
    assert slot("graph") in graph.markdown  # the SVG goes in after Markdown
    svg = re.search(r"<svg.*</svg>", graph.inserts["graph"])
    assert svg is not None
    assert sorted(re.findall(r'<a xlink:href="\.\./\.\./entries/([^/"]+)/"', svg.group())) == [
        "LANG-PY-01",
        "LESS-01",
        "LESS-02",
    ]
    assert svg.group().count("<line") == 2
    nodes = [Node(f"X-{i}", "t", "T", "u") for i in range(3)]
    assert site_svg(nodes, [("X-0", "X-9")], {}).count("<line") == 0  # unknown ends dropped


def test_spellings_of_one_keyword_share_its_page(project: Project) -> None:
    project.entry("LESS-01", "First", keywords="[Cold Start]")
    project.entry("LESS-02", "Second", keywords="[cold-start]")
    project.entry("LESS-03", "Third", keywords="[cold-start, Cold Start]")
    project.entry("LESS-04", "Fourth", keywords="[cold-start]")  # the most used spelling
    pages = keyword_pages(load_catalog(project.settings))
    uris = [page.uri for page in pages]
    assert uris == ["browse/keywords.md", "browse/keywords/cold-start.md"]  # one page, not two
    index, page = pages
    assert '<li><a href="cold-start/">cold-start</a> (4)</li>' in index.inserts["keywords"]
    assert all(f'data-ref="LESS-0{n}"' in page.inserts["entries"] for n in (1, 2, 3, 4))
    assert page.inserts["entries"].count('data-ref="LESS-03"') == 1
