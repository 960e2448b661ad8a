"""The real site, built strictly: links, snippets, backlinks and indexes in the HTML."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup, Tag

from conftest import ROOT
from sima.content.catalog import load_catalog
from sima.content.settings import load_settings
from sima_lab import load_folder
from sima_lab.timeline import timeline_svg

CATALOG = load_catalog(load_settings(ROOT / "mkdocs.yml"))
IDS = sorted(CATALOG.entries)


def page(site: Path, uri: str) -> BeautifulSoup:
    return BeautifulSoup((site / uri / "index.html").read_text(encoding="utf-8"), "html.parser")


def opened(site: Path, uri: str, template: Tag | None) -> BeautifulSoup:
    """What a `<template data-sima-later>` puts into the page when a reader opens it
    (the trace table, a diff panel): the HTML under its key in the page's later file.
    The template itself is empty: the part is not among what every visit downloads."""
    assert template is not None, "no template where the part should be"
    assert not template.decode_contents().strip(), "the part is in the page, not its later file"
    later = json.loads((site / uri / "index.later.json").read_text(encoding="utf-8"))
    return BeautifulSoup(later[str(template["data-sima-later"])], "html.parser")


def picture(site: Path, uri: str, figure: Tag | None) -> Tag:
    """The drawing of a timeline `figure`: the SVG file its empty `<svg>` names, beside
    the page, which the page fetches when the block comes near the view. The empty
    `<svg>` has the drawing's size, role and text alternative, so nothing moves."""
    assert figure is not None, "no timeline figure"
    empty = figure.select_one("svg[data-sima-picture]")
    assert empty is not None, "the drawing is in the page, not beside it"
    assert not empty.contents, "the empty <svg> carries a drawing"
    name = f"index.{empty['data-sima-picture']}.svg"
    drawn = BeautifulSoup((site / uri / name).read_text(encoding="utf-8"), "html.parser").svg
    assert drawn is not None
    for attribute in ("viewbox", "width", "height", "role", "aria-label", "class"):
        assert empty.get(attribute) == drawn.get(attribute), attribute
    return drawn


def article(soup: BeautifulSoup) -> Tag:
    found = soup.select_one("article")
    assert found is not None
    return found


def target_of(site: Path, page_uri: str, href: str) -> Path:
    """The file a relative link on `page_uri` leads to."""
    url = urlparse(urljoin(f"http://x/{page_uri}/", href))
    path = site / url.path.lstrip("/")
    return path / "index.html" if url.path.endswith("/") else path


def test_every_entry_has_a_page(built_site: Path) -> None:
    for ref_id in IDS:
        heading = article(page(built_site, f"entries/{ref_id}")).select_one("h1")
        assert heading is not None
        assert (
            heading.get_text(strip=True).rstrip("¶") == f"{ref_id}: {CATALOG.entries[ref_id].title}"
        )


@pytest.mark.parametrize("uri", [f"entries/{i}" for i in IDS] + ["", "authoring", "browse"])
def test_id_links_lead_to_their_entry_with_its_title(built_site: Path, uri: str) -> None:
    links = article(page(built_site, uri)).select("a.sima-ref")
    for link in links:
        ref_id = str(link["data-ref"])
        assert link.get_text() == ref_id
        assert link["title"] == CATALOG.entries[ref_id].title
        target = target_of(built_site, uri, str(link["href"]))
        assert target == built_site / "entries" / ref_id / "index.html", link


def test_less22_links_every_id_it_mentions(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    linked = {str(a["data-ref"]) for a in body.select("a.sima-ref")}
    assert {"LESS-18", "INT-09", "ARCH-02", "LESS-17", "DEC-14", "LESS-29"} <= linked


def test_no_link_inside_code(built_site: Path) -> None:
    for uri in [f"entries/{i}" for i in IDS] + ["authoring"]:
        body = article(page(built_site, uri))
        inside = body.select("pre a.sima-ref, code a.sima-ref, pre a[href*='entries/']")
        assert not inside, uri


def test_ids_in_code_stay_text(built_site: Path) -> None:
    """The authoring guide's front-matter example names LESS-22 and INT-09 in code."""
    guide = article(page(built_site, "authoring"))
    code = " ".join(block.get_text() for block in guide.select("pre"))
    assert "related: [LESS-22, INT-09]" in code
    assert not guide.select("pre a.sima-ref")
    prose_links = [str(a["data-ref"]) for a in guide.select("p a.sima-ref")]
    assert "LESS-22" in prose_links


def test_related_and_next_use_real_titles(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    related = body.select_one("h2#related + ul")
    assert related is not None
    items = [li.get_text(" ", strip=True) for li in related.select("li")]
    expected = [
        f"{r} : {CATALOG.entries[r].title}" for r in CATALOG.entries["LESS-22"].meta.related
    ]
    assert items == expected
    nxt = body.select_one("h2#next + p")
    assert nxt is not None
    assert CATALOG.entries["LESS-29"].title in nxt.get_text()


def test_backlinks_quote_the_citing_sentence(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-18"))
    cited = body.select_one("h2#referenced-by + ul")
    assert cited is not None
    item = next(li for li in cited.select("li") if "LESS-22" in li.get_text())
    quote = item.select_one("q")
    assert quote is not None
    assert "LESS-18" in quote.get_text()


def claims() -> dict[str, dict[str, Any]]:
    text = (ROOT / "snippets/LESS-22/claims.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_every_less22_snippet_is_on_the_page_with_its_claim(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    blocks = {str(b["data-snippet"]): b for b in body.select("[data-snippet]")}
    declared = claims()
    assert set(blocks) == {f"LESS-22/{name}" for name in declared}
    for name, claim in declared.items():
        block = blocks[f"LESS-22/{name}"]
        assert block["data-claim"] == claim["claim"]
        assert block["data-status"] == "pass"
        badge = block.select_one(".sima-badge")
        assert badge is not None and badge.get_text() == claim["claim"]
        failures = block.select(".sima-claim .sima-fails code")
        assert [f.get_text() for f in failures] == claim.get("fails", [])
        code = block.select_one("pre code")
        assert code is not None
        source = (ROOT / f"snippets/LESS-22/{name}.py").read_text(encoding="utf-8")
        assert code.get_text().strip() == source.strip()
        trace = opened(
            built_site, "entries/LESS-22", block.select_one("details.sima-trace template")
        )
        assert trace.select_one("pre") is not None and "verdict: observed" in trace.get_text()


def test_mistake2_as_written_shows_the_unbound_local_error(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    block = body.select_one('[data-snippet="LESS-22/mistake2_counter_as_written"]')
    assert block is not None
    assert "UnboundLocalError" in block.select_one("details.sima-trace").get_text()  # type: ignore[union-attr]


def test_index_lists_every_entry(built_site: Path) -> None:
    table = article(page(built_site, "browse")).select_one("table")
    assert table is not None
    rows = [tr.select_one("td") for tr in table.select("tbody tr")]
    assert sorted(td.get_text(strip=True) for td in rows if td) == IDS


@pytest.mark.parametrize("uri", ["types", "categories", "priorities"])
def test_grouped_indexes_cover_every_entry(built_site: Path, uri: str) -> None:
    body = article(page(built_site, f"browse/{uri}"))
    listed = {str(a["data-ref"]) for a in body.select("a.sima-ref")}
    assert listed == set(IDS)


def test_every_keyword_page_lists_the_entries_that_carry_it(built_site: Path) -> None:
    index = article(page(built_site, "browse/keywords"))
    keywords = {k for e in CATALOG.entries.values() for k in e.meta.keywords}
    assert {a.get_text() for a in index.select("li a")} == keywords
    for entry in CATALOG.entries.values():
        chips = article(page(built_site, f"entries/{entry.ref_id}")).select("a.sima-keyword")
        assert [c.get_text() for c in chips] == entry.meta.keywords
        for chip in chips:
            target = target_of(built_site, f"entries/{entry.ref_id}", str(chip["href"]))
            listed = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert entry.ref_id in {str(a["data-ref"]) for a in listed.select("a.sima-ref")}


def test_nothing_is_loaded_from_another_host(built_site: Path) -> None:
    for html_file in built_site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for node in soup.find_all(tag):
                url = str(node.get(attr) or "")
                if tag == "link" and node.get("rel") in (["canonical"], ["alternate"]):
                    continue
                assert not urlparse(url).netloc, f"{html_file}: {tag} {url}"


def test_what_the_build_lists_is_on_the_page_but_not_in_the_search_index(
    built_site: Path,
) -> None:
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = {d["location"]: d for d in index["docs"]}
    generated = ("#related", "#next", "#referenced-by")
    assert not [where for where in docs if where.endswith(generated)]
    facts = article(page(built_site, "entries/LESS-22")).select_one("p.sima-facts")
    assert facts is not None and "status" in facts.get_text()
    assert "status" not in docs["entries/LESS-22/"]["text"]  # the facts line is not text
    assert "Context" in docs["entries/LESS-22/#context"]["title"]  # the author's text is
    browse = docs["browse/"]
    assert not any(ref_id in browse["text"] for ref_id in IDS)  # no table in the index
    assert article(page(built_site, "browse")).select("table a.sima-ref")


def test_graphs_are_in_the_pages_but_not_in_the_search_index(built_site: Path) -> None:
    for uri in [*(f"entries/{ref_id}" for ref_id in IDS), "browse/graph"]:
        graph = article(page(built_site, uri)).select_one("figure.sima-graph svg")
        assert graph is not None, uri
        assert graph.select("a.sima-node"), uri
    for html_file in built_site.rglob("*.html"):
        assert "<!--sima:" not in html_file.read_text(encoding="utf-8"), html_file
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    sections = [d for d in index["docs"] if d["location"].endswith("/#links")]
    assert len(sections) == len(IDS)
    for doc in sections:  # just the caption: node labels would be noise in search results
        assert doc["text"].startswith("Left: the "), doc
        assert not any(ref_id in doc["text"] for ref_id in IDS), doc


def _timeline_of(name: str) -> ET.Element:
    """The timeline the lab draws for a LESS-22 snippet's own code."""
    folder = load_folder(ROOT / "snippets/LESS-22", root=ROOT)
    outcome = folder.verify(name)
    return ET.fromstring(timeline_svg(outcome.trace, outcome.observed_failures))


def test_every_snippet_shows_its_timeline_under_the_code(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    for name in claims():
        block = body.select_one(f'[data-snippet="LESS-22/{name}"]')
        assert block is not None
        (figure,) = block.select("figure[data-timeline]")
        assert figure["data-runs"] == "0"
        assert figure.find_previous_sibling("div", class_="highlight") is not None  # the code
        svg = picture(built_site, "entries/LESS-22", figure)
        assert svg["role"] == "img" and svg["aria-label"]
        expected = _timeline_of(name)
        drawn = [
            (g["data-invocation"], g["data-container"]) for g in svg.select("[data-invocation]")
        ]
        assert drawn == [
            (g.attrib["data-invocation"], g.attrib["data-container"])
            for g in expected.iter()
            if "data-invocation" in g.attrib
        ], name
        trace = opened(
            built_site, "entries/LESS-22", block.select_one("details.sima-trace template")
        )
        assert trace.select_one("pre") is not None  # the table, a click away


def test_the_leak_is_drawn_as_carried_state_and_the_fix_has_none(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    leak, fix = (
        picture(
            built_site,
            "entries/LESS-22",
            body.select_one(f'[data-snippet="LESS-22/{name}"] figure[data-timeline]'),
        )
        for name in ("mistake1_user_sessions", "mistake1_request_scoped")
    )
    carried = [
        (p["data-carried-from"], p["data-carried-to"]) for p in leak.select("[data-carried-from]")
    ]
    assert carried == [("2", "3"), ("3", "4"), ("4", "5")]
    assert all("tl-obs" in p["class"] for p in leak.select("[data-carried-from]"))
    assert fix.select("[data-carried-from]") == []


def test_each_bad_snippet_and_its_fix_have_a_diff_button(built_site: Path) -> None:
    body = article(page(built_site, "entries/LESS-22"))
    pairs = {name: c["fixes"] for name, c in claims().items() if "fixes" in c}
    for good, bad in pairs.items():
        buttons = [
            body.select_one(f'[data-snippet="LESS-22/{n}"] button[data-action="diff"]')
            for n in (bad, good)
        ]
        assert all(b is not None for b in buttons), (bad, good)
        panel_id = {str(b["aria-controls"]) for b in buttons if b is not None}
        assert len(panel_id) == 1
        later = body.select(f'template[data-sima-later="{panel_id.pop()}"]')
        assert len(later) == 1  # one panel per pair, kept out of the page until opened
        panels = opened(built_site, "entries/LESS-22", later[0]).select(".sima-diff")
        assert len(panels) == 1 and panels[0].has_attr("hidden")
        head = panels[0].select_one(".sima-diff__head")
        assert head is not None
        assert f"- {bad}.py bad" in head.get_text() and f"+ {good}.py good" in head.get_text()
        bad_lines = (ROOT / f"snippets/LESS-22/{bad}.py").read_text(encoding="utf-8").splitlines()
        good_lines = (ROOT / f"snippets/LESS-22/{good}.py").read_text(encoding="utf-8").splitlines()
        lines = panels[0].select("code > *")
        assert {line.get_text()[:2] for line in lines} <= {"- ", "+ ", "  "}
        assert any(line.name == "del" for line in lines) and any(
            line.name == "ins" for line in lines
        )
        # Unchanged and removed lines are the bad file, in order; unchanged and added
        # lines the good one (a long unchanged run is folded into one line).
        text = [line for line in lines if "sima-diff__gap" not in (line.get("class") or [])]
        old = [line.get_text()[2:].removesuffix("\n") for line in text if line.name != "ins"]
        new = [line.get_text()[2:].removesuffix("\n") for line in text if line.name != "del"]
        assert _in_order(old, bad_lines) and _in_order(new, good_lines), (bad, good)
    unpaired = set(claims()) - set(pairs) - set(pairs.values())
    for name in unpaired:
        assert body.select(f'[data-snippet="LESS-22/{name}"] [data-action="diff"]') == []


def _in_order(part: list[str], whole: list[str]) -> bool:
    """True when `part` is `whole` with some lines left out."""
    rest = iter(whole)
    return all(line in rest for line in part)


def test_timelines_diffs_and_traces_stay_out_of_the_search_index(built_site: Path) -> None:
    """The lab's output is not searched (it would be most of the index every page
    loads); the claims and the code are."""
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    entries = [d["text"] for d in index["docs"] if d["location"].startswith("entries/")]
    assert entries
    assert not [t for t in entries if "started on the state" in t or "unchanged line" in t]
    assert not [t for t in entries if "What the lab observed" in t]
    page = (built_site / "entries/LESS-22/index.html").read_text(encoding="utf-8")
    assert "What the lab observed" in page
    assert any("def handler" in t for t in entries)
    assert any("module-level dict" in t for t in entries)


def test_api_reference_is_searched_by_names_and_summaries_not_its_tables(
    built_site: Path,
) -> None:
    """The search index keeps each API object's heading and summary;
    mkdocstrings' parameter and attribute tables stay on the reference pages only."""
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = {d["location"]: d for d in index["docs"]}
    settings = docs["reference/lab/#sima_lab.limits.LabSettings"]
    assert "Platform limits and declared costs" in settings["text"]
    assert "memory_limit_mb" not in settings["text"]
    assert "doc-section-title" not in settings["text"]
    page = (built_site / "reference/lab/index.html").read_text(encoding="utf-8")
    assert "memory_limit_mb" in page
    # A table written in a page's Markdown is searched as before.
    assert any(
        "sima_lab.records" in d["text"] for d in index["docs"] if "reference/lab/" in d["location"]
    )


@pytest.mark.parametrize(
    ("uri", "root"),
    [("index.html", ""), ("entries/LESS-22/index.html", "../../"), ("404.html", "/")],
)
def test_every_page_holds_the_search_index_before_material_asks_for_it(
    built_site: Path, uri: str, root: str
) -> None:
    """The hold script is the script right before Material's bundle, on the same root."""
    soup = BeautifulSoup((built_site / uri).read_text(encoding="utf-8"), "html.parser")
    scripts = [str(tag["src"]) for tag in soup.find_all("script", src=True)]
    bundle = next(i for i, s in enumerate(scripts) if "assets/javascripts/bundle." in s)
    assert scripts[bundle - 1] == root + "assets/sima/hold-search.js"
    assert scripts[bundle].startswith(root)
    assert (built_site / "assets/sima/hold-search.js").is_file()


def test_each_page_links_only_the_stylesheets_it_needs(built_site: Path) -> None:
    """Every stylesheet in a page's head holds its first paint: an entry page links the
    theme's and the plugin's one, and the API reference's and the benchmarks' plots'
    stylesheets come only with the pages that show them (and are there)."""

    def styles(uri: str) -> list[str]:
        soup = page(built_site, uri)
        hrefs = [str(link["href"]) for link in soup.select('link[rel="stylesheet"]')]
        for href in hrefs:
            assert (built_site / uri / href).resolve().is_file(), (uri, href)
        return [href.rsplit("/", 1)[-1] for href in hrefs]

    entry = styles("entries/LESS-22")
    assert [name for name in entry if not name.startswith(("main.", "palette."))] == ["sima.css"]
    assert "_mkdocstrings.css" in styles("reference/lab")
    assert "bench.css" in styles("benchmarks")
    assert not {"_mkdocstrings.css", "bench.css"} & set(styles("authoring"))
