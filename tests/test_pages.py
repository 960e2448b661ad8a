"""Pure helpers of the page writer (sima.site.pages)."""

from __future__ import annotations

import itertools
import posixpath

import pytest
from mkdocs.structure.files import File

from conftest import Project
from sima.content.catalog import EntryReader, load_catalog
from sima.content.links import LinkTarget, MentionScanner
from sima.site.blocks import svg_height
from sima.site.pages import (
    EntryPages,
    PageLinks,
    Quotes,
    RenderedPage,
    backlinks_of,
    catalog_names,
    links_out,
    page_href,
    quotes_through,
    relative,
    render_indexes,
)

#: Page paths as the build makes them: entries, index pages, keyword pages, the home.
PATHS = [
    "index.md",
    "entries/LESS-22.md",
    "entries/LESS-22/index.md",
    "entries/LESS-22",
    "entries/AP-01.md",
    "browse/types.md",
    "browse/keywords/cold-start.md",
    "browse/index.md",
    "browse",
    "a/b/c/d.md",
    "../outside.md",
    "./entries/x.md",
]


def test_relative_is_relpath_from_the_pages_folder() -> None:
    for start, target in itertools.product(PATHS, repeat=2):
        expected = posixpath.relpath(target, posixpath.dirname(start) or ".")
        assert relative(start, target) == expected, (start, target)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_generated_html_links_where_mkdocs_links_the_same_pages(directory_urls: bool) -> None:
    pages = [p for p in PATHS if p.endswith(".md") and not p.startswith(".")]
    files = {p: File(p, "docs", "site", use_directory_urls=directory_urls) for p in pages}
    for start, target in itertools.product(pages, repeat=2):
        expected = files[target].url_relative_to(files[start])
        assert page_href(start, target, directory_urls) == expected, (start, target)


SENTENCES = [
    "Plain words about LESS-1, then LESS-2 and LESS-1 again.",
    "A `code span` next to LESS-1 and *emphasis*.",
    "Tom's cache -- or LESS-1 -- holds <b>state</b> & more...",
    "See [the guide](https://example.org), www.example.org and LESS-1_x (c) 1st.",
]


@pytest.mark.parametrize(
    "extensions",
    [("attr_list",), ("attr_list", "smarty"), ("toc", "pymdownx.smartsymbols", "attr_list")],
)
def test_a_quoted_sentence_reads_as_its_markdown_does(
    project: Project, extensions: tuple[str, ...]
) -> None:
    project.entry("LESS-1", "One", "Body.")
    project.entry("LESS-2", "Two", "Body.", status="Planned")
    links = PageLinks(load_catalog(project.settings), "entries/LESS-3.md")
    quotes = quotes_through(extensions)
    for sentence in SENTENCES:
        linked = links.catalog.scanner.link(sentence, links.target)
        through_markdown = quotes.markdown(linked, links)
        assert quotes.html(sentence, links) == through_markdown, sentence
    assert 'class="sima-ref sima-planned" data-ref="LESS-2" href="../LESS-2/"' in quotes.html(
        SENTENCES[0], links
    )


def test_plain_sentences_skip_markdown_only_where_it_would_change_nothing(
    project: Project,
) -> None:
    project.entry("LESS-1", "One", "Body.")
    links = PageLinks(load_catalog(project.settings), "entries/LESS-3.md")

    def unused(text: str, page: PageLinks) -> str:
        raise AssertionError(f"plain text went through Markdown: {text}")

    assert quotes_through(("attr_list", "toc", "pymdownx.superfences")).plain_is_text
    assert not quotes_through(("attr_list", "smarty")).plain_is_text
    assert not quotes_through(("attr_list", "pymdownx.magiclink")).plain_is_text
    skipping = Quotes(unused, plain_is_text=True)
    assert "LESS-1</a>" in skipping.html(SENTENCES[0], links)
    with pytest.raises(AssertionError, match="went through Markdown"):
        skipping.html(SENTENCES[1], links)
    with pytest.raises(AssertionError, match="went through Markdown"):
        skipping.html("- LESS-1 is a list item in Markdown.", links)


@pytest.mark.parametrize("directory_urls", [True, False])
def test_links_in_a_quoted_sentence_reach_what_they_reached_in_its_entry(
    project: Project, directory_urls: bool
) -> None:
    project.entry("LESS-1", "One", "Body.")
    links = PageLinks(load_catalog(project.settings), "entries/LESS-3.md", directory_urls)
    sentence = (
        "See [the guide](../guide.md#setup), ![a chart](img/chart.svg), "
        "[elsewhere](https://example.org/x.md) and [LESS-1](LESS-1.md) about LESS-1."
    )
    html = quotes_through().html(sentence, links)
    entry = File("entries/LESS-3.md", "docs", "site", use_directory_urls=directory_urls)
    guide = File("guide.md", "docs", "site", use_directory_urls=directory_urls)
    other = File("entries/LESS-1.md", "docs", "site", use_directory_urls=directory_urls)
    assert f'href="{guide.url_relative_to(entry)}#setup"' in html
    image = posixpath.relpath("entries/img/chart.svg", posixpath.dirname(entry.dest_uri))
    assert f'src="{image}"' in html
    assert 'href="https://example.org/x.md"' in html
    assert html.count(f'href="{other.url_relative_to(entry)}"') == 2  # written, and linked


def test_a_quoted_list_item_is_quoted_as_a_sentence() -> None:
    scanner = MentionScanner(["LESS"])
    text = "Intro.\n\n> - LESS-3 is wrong about caches.\n"
    [mention] = scanner.mentions(text)
    assert mention.sentence == "LESS-3 is wrong about caches."


def test_a_kept_page_is_rendered_again_for_other_markdown_extensions(project: Project) -> None:
    project.entry("LESS-1", "One", "Body.")
    project.entry("LESS-2", "Two", "Says LESS-1 isn't here.")
    catalog = load_catalog(project.settings)
    backlinks = backlinks_of(catalog)
    outbound, names, pages = links_out(backlinks), catalog_names(catalog), EntryPages()

    def cited(*extensions: str) -> str:
        pages.start()
        quotes = quotes_through(extensions)
        entry = catalog.entries["LESS-1"]
        page = pages.render(
            entry, catalog, backlinks, {}, outbound, None, None, names=names, quotes=quotes
        )
        return page.inserts["cited"]

    assert "isn't" in cited("attr_list")
    assert "isn&rsquo;t" in cited("attr_list", "smarty")


def test_groups_whose_names_share_an_anchor_each_list_their_entries(project: Project) -> None:
    project.entry("LESS-1", "One", category="C")
    project.entry("LESS-2", "Two", category='"C++"')
    by_category = next(
        p for p in render_indexes(load_catalog(project.settings)) if p.uri.endswith("categories.md")
    )
    html = "\n".join(by_category.inserts.values())
    assert 'data-ref="LESS-1"' in html and 'data-ref="LESS-2"' in html
    assert by_category.markdown.count("<!--sima:group:") == 2


def test_the_scanner_gives_the_same_mentions_each_time_it_reads_a_text() -> None:
    scanner = MentionScanner(["LESS", "AP"])
    text = "See LESS-22.\n\nAnd `AP-01` in code, then AP-01 in prose.\n"
    first = scanner.mentions(text)
    first.clear()  # a caller's list is its own
    again = scanner.mentions(text)
    assert [(m.ref_id, m.line) for m in again] == [("LESS-22", 1), ("AP-01", 3)]


def test_linked_text_follows_its_targets() -> None:
    scanner = MentionScanner(["LESS"])
    text = "LESS-22 then LESS-17.\n"
    titles = {"LESS-22": "State", "LESS-17": "Threads"}

    def resolve(ref_id: str) -> LinkTarget | None:
        title = titles.get(ref_id)
        return None if title is None else LinkTarget(f"{ref_id}.md", title)

    assert scanner.link(text, resolve).count('"State"') == 1
    titles["LESS-22"] = "State, renamed"  # the target's title changed: the link follows
    assert '"State, renamed"' in scanner.link(text, resolve)
    del titles["LESS-17"]  # a target gone: its mention stays plain text
    assert "[LESS-17]" not in scanner.link(text, resolve)
    assert "[LESS-17]" not in scanner.link(text, resolve)


def render_all(project: Project, reader: EntryReader, pages: EntryPages) -> dict[str, RenderedPage]:
    """One build's entry pages, by ID, through a kept reader and page cache."""
    catalog = load_catalog(project.settings, reader)
    backlinks = backlinks_of(catalog)
    outbound = links_out(backlinks)
    names = catalog_names(catalog)
    pages.start()
    return {
        ref_id: pages.render(entry, catalog, backlinks, {}, outbound, None, None, names=names)
        for ref_id, entry in catalog.entries.items()
    }


def test_kept_pages_are_those_a_fresh_build_writes(project: Project) -> None:
    """Each step's pages through the kept reader and cache equal a fresh build's."""
    reader, pages = EntryReader(), EntryPages()
    project.entry("LESS-1", "One", "Mentions LESS-2.")
    project.entry("LESS-2", "Two", "Plain.")
    project.entry("LESS-3", "Three", "Plain.", related="[LESS-1]")
    first = render_all(project, reader, pages)
    again = render_all(project, reader, pages)
    assert all(again[i] is first[i] for i in first)  # nothing changed: nothing rendered
    steps = [
        ("LESS-2", "Two, renamed", "Plain."),  # a title others show
        ("LESS-3", "Three", "Now cites LESS-2 too."),  # a new backlink for LESS-2
        ("LESS-1", "One", "No mention any more."),  # a backlink gone
    ]
    for ref_id, title, body in steps:
        extra = {"related": "[LESS-1]"} if ref_id == "LESS-3" else {}
        project.entry(ref_id, title, body, **extra)
        kept = render_all(project, reader, pages)
        fresh = render_all(project, EntryReader(), EntryPages())
        assert {i: (p.markdown, p.inserts) for i, p in kept.items()} == {
            i: (p.markdown, p.inserts) for i, p in fresh.items()
        }, ref_id
    assert "Two, renamed" in kept["LESS-3"].markdown
    assert 'data-ref="LESS-3"' in kept["LESS-2"].inserts["cited"]


def test_a_block_states_its_lines_and_its_timelines_height_for_the_stylesheet() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 380" width="640" height="380">'
    assert svg_height(svg + "<g/></svg>") == 380
    assert svg_height('<svg width="10" height="12.6"></svg>') == 13
    assert svg_height("") == 0
    assert svg_height('<svg viewBox="0 0 1 1"></svg>') == 0
