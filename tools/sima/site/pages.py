"""Write the Markdown of entry pages and index pages.

Pure functions from a [`Catalog`][sima.content.catalog.Catalog] (plus snippet results) to
Markdown strings; the plugin hands these to MkDocs as generated files. Page URIs:
`entries/<REF-ID>.md` for entries, `browse/*.md` for indexes.

What an author wrote goes through Markdown; what is generated from the catalog (an
entry's facts and keywords, its Related, Next and Referenced-by lists, the browse
pages' lists and table) is written as finished HTML into the page's
[`inserts`][sima.site.pages.RenderedPage], behind headings that stay in the Markdown
(so the page's table of contents keeps them). Those lists were most of the Markdown
a build converted: a 100-entry build spent more than half its Markdown time on them.
"""

from __future__ import annotations

import functools
import operator
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

from sima.content.catalog import Catalog, Entry
from sima.content.links import Backlink, LinkTarget, html_link
from sima.site.blocks import (
    Pair,
    SnippetView,
    diff_html,
    diff_panel,
    pairs_of,
    render_snippet,
    timeline_figure,
    timeline_placeholder,
    trace_html,
    trace_table,
)
from sima.site.graph import Node, legend, neighbourhood_svg, site_svg, type_classes

if TYPE_CHECKING:  # sima.proofs.coverage reads snippet markers from here
    from sima.proofs.coverage import Coverage, Provenance

ENTRIES_DIR = "entries"
#: Material search boosts: entry pages first, the pages that only list entries last.
ENTRY_BOOST = 4
INDEX_BOOST = 0.5
BROWSE_DIR = "browse"
SNIPPET_MARKER = re.compile(r"^@snippet\((?P<name>[\w./-]+)\)[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


KEYWORD_PAGES = f"{BROWSE_DIR}/keywords/"


#: Marks the part of a hand-written page that only a generator without the plugin
#: shows: the plugin removes it (see `strip_without_plugin`).
WITHOUT_PLUGIN = re.compile(
    r"<!-- sima:without-plugin -->.*?<!-- /sima:without-plugin -->\n?", re.DOTALL
)


def strip_without_plugin(markdown: str) -> str:
    """The page without its `<!-- sima:without-plugin -->` part.

    A generator that does not run the plugin (Zensical, MkDocs 2) still builds the
    hand-written pages, but no entry, link or runner: the notice in that part says
    so on the page instead of leaving a quiet half site.
    """
    return WITHOUT_PLUGIN.sub("", markdown)


def keyword_uri(keyword: str) -> str:
    """The generated page of one keyword, relative to the docs root."""
    return f"{BROWSE_DIR}/keywords/{slugify(keyword)}.md"


def entry_uri(ref_id: str) -> str:
    """The generated page path of an entry, relative to the docs root."""
    return f"{ENTRIES_DIR}/{ref_id}.md"


def relative(from_uri: str, to_uri: str) -> str:
    """A Markdown link from one page path to another (both docs-relative).

    The same as `posixpath.relpath(to_uri, dirname(from_uri))`, computed on the path
    strings alone: relpath makes both absolute against the working directory, and a
    1,000-entry build asks this some 60,000 times.
    """
    start, target = from_uri.split("/")[:-1], to_uri.split("/")
    if not ({".", "..", ""} & {*start, *target}):
        common = 0
        for a, b in zip(start, target, strict=False):
            if a != b:
                break
            common += 1
        return "/".join([".."] * (len(start) - common) + target[common:]) or "."
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def slugify(text: str) -> str:
    """A stable anchor for a keyword or category."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def resolver(catalog: Catalog, page_uri: str) -> Callable[[str], LinkTarget | None]:
    """Map IDs to link targets as seen from `page_uri`."""

    def resolve(ref_id: str) -> LinkTarget | None:
        entry = catalog.entries.get(ref_id)
        if entry is None:
            return None
        url = relative(page_uri, entry_uri(ref_id))
        return LinkTarget(url=url, title=entry.title, planned=entry.is_stub)

    return resolve


def links_out(backlinks: Mapping[str, list[Backlink]]) -> dict[str, list[str]]:
    """For each entry, the entries it links to (by mention, related or next), sorted."""
    found: dict[str, set[str]] = {}
    for target, cited in backlinks.items():
        for link in cited:
            found.setdefault(link.source, set()).add(target)
    return {source: sorted(targets) for source, targets in found.items()}


def page_url(uri: str, directory_urls: bool = True) -> str:
    """The site path MkDocs serves the page `uri` at: `entries/X/` for `entries/X.md`
    and `browse/` for `browse/index.md` (or `entries/X.html`, `browse/index.html`
    without directory URLs); `''` for the home page."""
    stem = uri.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


def _served_file(uri: str, directory_urls: bool) -> str:
    """The file the page `uri` is served from (`entries/X/index.html`), which the
    relative links of its HTML start from."""
    url = page_url(uri, directory_urls)
    return url if url and not url.endswith("/") else f"{url}index.html"


def page_href(from_uri: str, to_uri: str, directory_urls: bool = True) -> str:
    """A link from one page to another as finished HTML needs it (MkDocs rewrites
    the `.md` links of Markdown, never those of HTML it is given)."""
    source, there = _served_file(from_uri, directory_urls), page_url(to_uri, directory_urls)
    if there and not there.endswith("/"):
        return relative(source, there)
    folder = relative(source, f"{there}index.html").removesuffix("index.html")
    return folder or "./"


@dataclass(frozen=True)
class PageLinks:
    """Links to entries and pages as the finished HTML of the page `uri` needs them.

    Attributes:
        catalog: All entries.
        uri: The page the links are on (docs-relative).
        directory_urls: The site's `use_directory_urls`.
    """

    catalog: Catalog
    uri: str
    directory_urls: bool = True

    def href(self, to_uri: str) -> str:
        """The URL of another page, from this one."""
        return page_href(self.uri, to_uri, self.directory_urls)

    def target(self, ref_id: str) -> LinkTarget | None:
        """What an ID links to from this page (None for an unknown ID)."""
        entry = self.catalog.entries.get(ref_id)
        if entry is None:
            return None
        return LinkTarget(self.href(entry_uri(ref_id)), entry.title, entry.is_stub)

    def ref(self, ref_id: str) -> str:
        """An ID as a link (`sima-ref`), or as text saying it is unknown."""
        target = self.target(ref_id)
        return f"{escape(ref_id)} (unknown)" if target is None else html_link(ref_id, target)

    def titled(self, ref_id: str) -> str:
        """`<ID link>: <title>`, the line an entry gets in a list."""
        return f"{self.ref(ref_id)}: {escape(_title(self.catalog, ref_id))}"

    def written_in_entry(self, url: str) -> str:
        """A relative URL as an entry's Markdown has it (from `entries/`), as this
        page's HTML needs it; any other URL as it is."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return url
        path = posixpath.normpath(posixpath.join(ENTRIES_DIR, parts.path))
        if path.endswith(".md"):
            found = self.href(path)
        else:
            found = relative(_served_file(self.uri, self.directory_urls), path)
        query = f"?{parts.query}" if parts.query else ""
        return found + query + (f"#{parts.fragment}" if parts.fragment else "")

    def node(self, ref_id: str) -> Node:
        """An entry as a node of a graph drawn on this page."""
        entry = self.catalog.entries[ref_id]
        return Node(ref_id, entry.title, entry.meta.type, self.href(entry_uri(ref_id)))


def html_list(items: Iterable[str]) -> str:
    """A `<ul>` of finished HTML items."""
    return "<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>"


#: Extensions that leave a plain sentence (see `_PLAIN_SENTENCE`) as it is: each needs
#: a character such a sentence lacks (`[`, backticks, `:`, `{`, `~`, `=`, `+`, `^`,
#: `--`, `$`), or acts on blocks only. Not in it: smarty, smartsymbols and magiclink,
#: which rewrite quotes, `(c)`, `1st` or `www.x.org` in plain words; abbr and
#: snippets, which together wrap a glossary's words in `<abbr>`; any extension this
#: does not know.
TEXT_NEUTRAL = frozenset(
    {
        *("admonition", "attr_list", "codehilite", "def_list", "fenced_code", "footnotes"),
        *("legacy_attrs", "md_in_html", "meta", "nl2br", "sane_lists", "tables", "toc"),
        "wikilinks",
        *(f"pymdownx.{name}" for name in ("arithmatex", "betterem", "caret", "critic")),
        *(f"pymdownx.{name}" for name in ("details", "emoji", "escapeall", "highlight")),
        *(f"pymdownx.{name}" for name in ("inlinehilite", "keys", "mark", "progressbar")),
        *(f"pymdownx.{name}" for name in ("saneheaders", "striphtml", "superfences")),
        *(f"pymdownx.{name}" for name in ("tabbed", "tasklist", "tilde")),
        *(f"pymdownx.blocks.{name}" for name in ("admonition", "definition", "details")),
        *(f"pymdownx.blocks.{name}" for name in ("html", "tab")),
    }
)

#: A sentence that is the same text in Markdown through `TEXT_NEUTRAL` extensions: it
#: starts with a letter or digit (no list, rule or admonition marker), then letters,
#: digits, spaces and `,;?!…`, a `.` that ends a word, a single `-`.
_PLAIN_SENTENCE = re.compile(r"[^\W_](?:[^\W_]|[ ,;?!…]|\.(?![\w.])|-(?!-))*")


#: The attribute that holds each element's URL, for the elements a sentence can have.
_URL_ATTRIBUTES = {"a": "href", "img": "src"}


class _QuotedLinks(Treeprocessor):
    """Rewrites the relative links and images of a quoted sentence for the page it is
    quoted on, as MkDocs does for a page's own Markdown (and not for HTML it is given).
    The sentence was written in an entry, so its relative URLs start from `entries/`."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.page: PageLinks | None = None

    def run(self, root: Element) -> None:
        if self.page is None:
            return
        for element in root.iter():
            attribute = _URL_ATTRIBUTES.get(str(element.tag), "")
            value = element.get(attribute)
            if value and "sima-ref" not in element.get("class", ""):  # IDs: linked already
                element.set(attribute, self.page.written_in_entry(value))


@dataclass(frozen=True)
class Quotes:
    """How a quoted sentence becomes HTML.

    Attributes:
        markdown: One line of Markdown, and the page it is quoted on, to HTML without
            its paragraph.
        plain_is_text: A plain sentence comes out of `markdown` as itself (with its IDs
            linked), so it need not go through it.
        key: What the rendering depends on (extension names and settings): a page kept
            between builds is kept only for the same key.
    """

    markdown: Callable[[str, PageLinks], str]
    plain_is_text: bool
    key: str = ""

    def html(self, sentence: str, links: PageLinks) -> str:
        """The sentence as HTML, its IDs linked as seen from `links`' page."""
        scanner = links.catalog.scanner
        if self.plain_is_text and _PLAIN_SENTENCE.fullmatch(sentence):
            return scanner.link(sentence, links.target, html=True)
        return self.markdown(scanner.link(sentence, links.target), links)


def quotes_through(
    extensions: Sequence[str] = ("attr_list",),
    configs: Mapping[str, Mapping[str, object]] | None = None,
) -> Quotes:
    """Quotes rendered by one Markdown instance with `extensions` (named, as in
    `markdown_extensions`) and their `configs`."""
    md = markdown.Markdown(extensions=list(extensions), extension_configs=dict(configs or {}))
    quoted_links = _QuotedLinks(md)
    md.treeprocessors.register(quoted_links, "sima_quoted_links", 1)  # after inline links

    def convert(text: str, page: PageLinks) -> str:
        quoted_links.page = page
        html = md.reset().convert(text)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            return html[3:-4]
        return html

    names = {name.removeprefix("markdown.extensions.") for name in extensions}
    key = repr((list(extensions), sorted((configs or {}).items())))
    return Quotes(convert, plain_is_text=names <= TEXT_NEUTRAL, key=key)


def neighbourhood(
    entry: Entry,
    links: PageLinks,
    backlinks: Mapping[str, list[Backlink]],
    outbound: list[str],
) -> tuple[list[str], dict[str, str]]:
    """The "Links" section: an SVG of what links here and what this links to, with
    `links` those of the entry's page.

    Returns the section's Markdown (with a [`slot`][sima.site.pages.slot]) and the SVG.
    """
    catalog = links.catalog
    cited = backlinks.get(entry.ref_id, [])
    inbound = sorted({b.source for b in cited if b.source in catalog.entries})
    targets = [t for t in outbound if t in catalog.entries]
    if not inbound and not targets:
        return [], {}
    classes = type_classes(catalog.types)
    svg = neighbourhood_svg(
        links.node(entry.ref_id),
        [links.node(r) for r in inbound],
        [links.node(r) for r in targets],
        classes,
    )

    def entries(n: int) -> str:
        return f"{n} entr{'y' if n == 1 else 'ies'}"

    caption = (
        f"Left: the {entries(len(inbound))} that link here. "
        f"Right: the {entries(len(targets))} this one links to."
    )
    section = [
        "",
        "## Links",
        "",
        f'<figure class="sima-graph">{slot("graph")}<figcaption>{caption}</figcaption></figure>',
        "",
    ]
    return section, {"graph": svg}


def backlinks_of(catalog: Catalog) -> dict[str, list[Backlink]]:
    """Backlinks for every entry in the catalog (computed once per catalog)."""
    return catalog.backlinks


def slot(key: str) -> str:
    """A marker in a page's Markdown where finished HTML goes after conversion."""
    return f"<!--sima:{key}-->"


@dataclass(frozen=True)
class RenderedPage:
    """A generated page: where it goes, its Markdown, and HTML to put in after.

    Attributes:
        uri: The page's path, relative to the docs root.
        markdown: The page's Markdown.
        inserts: Finished HTML by [`slot`][sima.site.pages.slot] key, put in after the
            search index has read the page: the graphs (neither Markdown nor the search
            index has anything to do with thousands of SVG elements, and both were
            slowed by them) and the lists made from the catalog (in search they would
            only repeat other entries' titles and sentences).
        later: HTML by key for the page's later file
            ([`later_path`][sima.site.blocks.later_path]): what the page fetches
            when a reader opens a trace or a diff.
        pictures: SVG files by key ([`picture_path`][sima.site.blocks.picture_path]):
            each timeline's drawing, which the page fetches when its block comes
            near the reader's view.
    """

    uri: str
    markdown: str
    inserts: Mapping[str, str] = field(default_factory=dict)
    later: Mapping[str, str] = field(default_factory=dict)
    pictures: Mapping[str, str] = field(default_factory=dict)

    def beside_markdown(self) -> dict[str, str]:
        """All the page carries besides its Markdown (inserts, later file, pictures)."""
        return {
            **self.inserts,
            **{f"later:{key}": html for key, html in self.later.items()},
            **{f"picture:{key}": svg for key, svg in self.pictures.items()},
        }


@dataclass(frozen=True)
class _Snippets:
    """An entry body with its `@snippet` lines expanded, and what goes beside it."""

    body: str
    inserts: dict[str, str]
    later: dict[str, str]
    pictures: dict[str, str]


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def snippet_markers(entry: Entry) -> dict[int, str]:
    """The `@snippet(name)` lines of an entry's body (outside code fences).

    Returns:
        Line number (in the entry file) to the snippet's key, `<REF-ID>/<name>`; a
        name that already holds a `/` names another entry's snippet.
    """
    found: dict[int, str] = {}
    fence: str | None = None
    for number, line in enumerate(entry.body.splitlines(), start=entry.body_line):
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        match = SNIPPET_MARKER.match(line) if fence is None else None
        if match is not None:
            name = match.group("name")
            found[number] = name if "/" in name else f"{entry.ref_id}/{name}"
    return found


def _expand_snippets(entry: Entry, snippets: Mapping[str, SnippetView]) -> _Snippets:
    """The body with each `@snippet` line replaced by its block, the HTML its slots
    take (each timeline's figure with its empty `<svg>`, each trace's and diff's empty
    template), the HTML of the page's later file (each trace and diff panel, by key)
    and the page's pictures (each timeline's SVG, by key). An unknown
    snippet shows a failure box; `sima.proofs.prover` reports it with file and line
    before the build."""
    markers = snippet_markers(entry)
    shown = {key: snippets[key] for key in markers.values() if key in snippets}
    pairs: dict[str, list[Pair]] = {}
    for pair in pairs_of(shown):
        pairs.setdefault(pair.bad.key, []).append(pair)
        pairs.setdefault(pair.good.key, []).append(pair)
    inserts: dict[str, str] = {}
    later: dict[str, str] = {}
    pictures: dict[str, str] = {}
    out: list[str] = []
    for number, line in enumerate(entry.body.splitlines(), start=entry.body_line):
        key = markers.get(number)
        if key is None:
            out.append(line)
            continue
        view = snippets.get(key)
        if view is None:
            out.append(f'!!! failure "Missing snippet"\n    No snippet `{key}` exists.')
            continue
        timeline = f"timeline:{number}"
        picture = f"timeline-{number}"
        inserts[timeline] = timeline_figure(timeline_placeholder(view.timeline, picture))
        if view.timeline:
            pictures[picture] = view.timeline
        controls = []
        for pair in pairs.get(key, []):
            panel = f"diff:{pair.id}"
            controls.append((pair, "" if panel in inserts else slot(panel)))
            inserts.setdefault(panel, diff_html(pair, later=True))
            later.setdefault(pair.id, diff_panel(pair))
        trace = f"trace:{number}"
        inserts[trace] = trace_html(view, later=f"trace-{number}")
        later[f"trace-{number}"] = trace_table(view)
        out.append(render_snippet(view, timeline=slot(timeline), pairs=controls, trace=slot(trace)))
    return _Snippets("\n".join(out) + "\n", inserts, later, pictures)


def proof_line(coverage: Coverage, provenance: Provenance | None) -> str:
    """The entry's proof statement: its coverage and where its claims were proven
    ('' for an entry without code)."""
    if not coverage.total:
        return ""
    text = f"Proof: {coverage.describe()}"
    if coverage.proven and provenance is not None:
        text += f" {provenance.sentence()}"
    elif not coverage.proven:
        text += ": no scenario checks this entry's code yet"
    data = f'data-proven="{coverage.proven}" data-total="{coverage.total}"'
    return f'<p class="sima-proof" {data}>{text}.</p>'


def render_entry(  # noqa: PLR0917
    entry: Entry,
    catalog: Catalog,
    backlinks: Mapping[str, list[Backlink]],
    snippets: Mapping[str, SnippetView],
    outbound: Mapping[str, list[str]] | None = None,
    coverage: Coverage | None = None,
    provenance: Provenance | None = None,
    *,
    directory_urls: bool = True,
    quotes: Quotes | None = None,
) -> RenderedPage:
    """The Markdown of one entry page, and the HTML of what is generated on it.

    Args:
        entry: The entry.
        catalog: All entries.
        backlinks: Who cites whom ([`backlinks_of`][sima.site.pages.backlinks_of]).
        snippets: Snippet views by key.
        outbound: What each entry links to ([`links_out`][sima.site.pages.links_out]);
            computed from `backlinks` when not given.
        coverage: The entry's proof coverage; with it, a page with code says how
            much of it is proven.
        provenance: Where the claims were proven (CPython, Pyodide, build date),
            said beside the coverage.
        directory_urls: The site's `use_directory_urls`, for the generated links.
        quotes: Renders the sentences quoted under Referenced by
            ([`quotes_through`][sima.site.pages.quotes_through]`()` by default).
    """
    if outbound is None:
        outbound = links_out(backlinks)
    uri = entry_uri(entry.ref_id)
    links = PageLinks(catalog, uri, directory_urls)
    meta = entry.meta
    lines = [
        "---",
        f"title: {_yaml_string(f'{entry.ref_id}: {entry.title}')}",
        # Entries rank above the index pages that list them (Material's search boost).
        f"search:\n  boost: {ENTRY_BOOST}",
    ]
    if meta.keywords:
        # Material's search indexes page tags in a field of their own, weighted far
        # above the text, so a keyword query finds the entries that carry it first.
        lines.append("tags:")
        lines += [f"  - {_yaml_string(keyword)}" for keyword in meta.keywords]
    if meta.summary:
        lines.append(f"description: {_yaml_string(meta.summary)}")
    lines += [
        "---",
        "",
        f'# {entry.ref_id}: {entry.title} {{ data-ref-id="{entry.ref_id}" }}',
        "",
        slot("facts"),
        "",
    ]
    generated = {"facts": _facts(entry, links)}
    proof = proof_line(coverage, provenance) if coverage is not None else ""
    if proof:
        lines += [proof, ""]
    expanded = _Snippets("", {}, {}, {})
    if entry.is_stub:
        lines += [
            '!!! note "Planned entry"',
            "    This entry is planned and not written yet. Its ID is reserved so that",
            "    other entries can link to it.",
            "",
        ]
        if meta.summary:
            lines += [meta.summary, ""]
    else:
        if meta.summary:
            lines += ['!!! abstract "Summary"', "", f"    {meta.summary}", ""]
        expanded = _expand_snippets(entry, snippets)
        lines.append(catalog.scanner.link(expanded.body, resolver(catalog, uri)))
    # The back matter's headings stay out of search with their lists (the lists go in
    # after the index is made): there they would only repeat other entries.
    if meta.related:
        lines += ["", "## Related { data-search-exclude }", "", slot("related")]
        generated["related"] = html_list(links.titled(r) for r in meta.related)
    if meta.next:
        lines += ["", "## Next { data-search-exclude }", "", slot("next")]
        generated["next"] = f"<p>{links.titled(meta.next)}</p>"
    lines += ["", "## Referenced by { data-search-exclude }", "", slot("cited")]
    generated["cited"] = _cited(backlinks.get(entry.ref_id, []), links, quotes)
    section, graph = neighbourhood(entry, links, backlinks, outbound.get(entry.ref_id, []))
    return RenderedPage(
        uri,
        "\n".join(lines + section) + "\n",
        {**expanded.inserts, **generated, **graph},
        expanded.later,
        expanded.pictures,
    )


def _facts(entry: Entry, links: PageLinks) -> str:
    """The line of facts under an entry's title, and its keywords."""
    meta = entry.meta
    types = links.href(f"{BROWSE_DIR}/types.md")
    facts = [f'<a href="{types}#{slugify(meta.type)}">{escape(meta.type)}</a>']
    if meta.category:
        categories = links.href(f"{BROWSE_DIR}/categories.md")
        facts.append(f'<a href="{categories}#{slugify(meta.category)}">{escape(meta.category)}</a>')
    if meta.priority:
        facts.append(f"priority {escape(meta.priority)}")
    facts.append(f"status {escape(meta.status)}")
    if meta.updated or meta.created:
        facts.append(f"updated {meta.updated or meta.created}")
    html = '<p class="sima-facts">' + " · ".join(facts) + "</p>"
    if meta.keywords:
        tags = " ".join(
            f'<a class="sima-keyword" href="{links.href(keyword_uri(k))}">{escape(k)}</a>'
            for k in meta.keywords
        )
        html += f'\n<p class="sima-keywords">Keywords: {tags}</p>'
    return html


def _cited(cited: Sequence[Backlink], links: PageLinks, quotes: Quotes | None) -> str:
    """The Referenced-by list: each citing entry with its sentence, or how it lists
    this one."""
    if not cited:
        return "<p>No entry refers to this one yet.</p>"
    items = []
    for link in cited:
        head = links.titled(link.source)
        if not link.sentence:
            items.append(f"{head} (lists it under {link.how.capitalize()})")
            continue
        quotes = quotes or quotes_through()  # made once, when a sentence needs it
        quoted = quotes.html(link.sentence, links)
        items.append(f"{head}<br>\n<q>{quoted}</q>" if quoted else head)
    return html_list(items)


@dataclass
class EntryPages:
    """Entry pages by everything they are drawn from, kept between builds.

    Under `mkdocs serve` the plugin keeps one, so a rebuild renders again only the
    entries whose page can have changed: an entry is drawn from its own file, who
    cites it and what it links to, its snippets' results, its coverage, the build's
    provenance, and the titles, types and statuses of the catalog's entries (any of
    which it may name). Only the last build's pages are kept.
    """

    _pages: dict[object, RenderedPage] = field(default_factory=dict)
    _fresh: dict[object, RenderedPage] = field(default_factory=dict)

    def start(self) -> None:
        """Begin a build: the last build's pages are the ones to reuse. (A page is
        reused only for the very same inputs, so what is kept never makes one stale.)"""
        if self._fresh:
            self._pages, self._fresh = self._fresh, {}

    def render(  # noqa: PLR0917
        self,
        entry: Entry,
        catalog: Catalog,
        backlinks: Mapping[str, list[Backlink]],
        snippets: Mapping[str, SnippetView],
        outbound: Mapping[str, list[str]],
        coverage: Coverage | None,
        provenance: Provenance | None,
        *,
        names: object,
        directory_urls: bool = True,
        quotes: Quotes | None = None,
    ) -> RenderedPage:
        """[`render_entry`][sima.site.pages.render_entry], or the page it gave for the
        same inputs. `names` is [`catalog_names`][sima.site.pages.catalog_names] of
        `catalog`, computed once per build; `quotes` render the same way in every
        build this keeps pages for."""
        key = (
            repr(entry),
            directory_urls,
            quotes.key if quotes else None,
            names,
            tuple(backlinks.get(entry.ref_id, ())),
            tuple(outbound.get(entry.ref_id, ())),
            tuple(snippets.get(k) for k in snippet_markers(entry).values()),
            coverage,
            provenance,
        )
        page = self._pages.get(key)
        if page is None:
            page = render_entry(
                entry,
                catalog,
                backlinks,
                snippets,
                outbound,
                coverage,
                provenance,
                directory_urls=directory_urls,
                quotes=quotes,
            )
        self._fresh[key] = page
        return page


def catalog_names(catalog: Catalog) -> tuple[object, ...]:
    """What a page may show of any entry it names: ID, title, type, status; and the
    prefixes and types the page's links and graph are drawn with."""
    return (
        tuple(catalog.settings.prefixes),
        catalog.types,
        tuple((e.ref_id, e.title, e.meta.type, e.is_stub) for e in catalog.entries.values()),
    )


def _title(catalog: Catalog, ref_id: str) -> str:
    entry = catalog.entries.get(ref_id)
    return entry.title if entry else "(unknown entry)"


def _row(links: PageLinks, entry: Entry, coverage: Coverage | None = None) -> str:
    meta = entry.meta
    cells = [
        links.ref(entry.ref_id),
        escape(entry.title),
        escape(meta.type),
        escape(meta.category or ""),
        escape(meta.priority or ""),
        escape(meta.status),
        str(meta.updated or meta.created or ""),
    ]
    if coverage is not None:
        cells.append(f"{coverage.proven} of {coverage.total}" if coverage.total else "")
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"


def _item(links: PageLinks, entry: Entry) -> str:
    facts = ", ".join(f for f in (entry.meta.type, entry.meta.priority) if f)
    return f"{links.titled(entry.ref_id)} ({escape(facts)})"


_COLUMNS = ["ID", "Title", "Type", "Category", "Priority", "Status", "Updated"]


def _table(
    links: PageLinks, entries: Iterable[Entry], coverage: Mapping[str, Coverage] | None = None
) -> str:
    columns = [*_COLUMNS, *(["Proven code"] if coverage is not None else [])]
    head = "<thead><tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr></thead>\n"
    rows = [_row(links, e, None if coverage is None else coverage.get(e.ref_id)) for e in entries]
    return f"<table>\n{head}<tbody>\n{''.join(rows)}</tbody>\n</table>"


def _grouped(
    links: PageLinks,
    title: str,
    intro: str,
    key: Callable[[Entry], Iterable[str]],
    order: Callable[[str], object] = str.casefold,
) -> RenderedPage:
    groups: dict[str, list[Entry]] = {}
    for entry in links.catalog.entries.values():
        for value in key(entry):
            groups.setdefault(value, []).append(entry)
    lines = [f"# {title}", "", intro, ""]
    inserts = {}
    for number, value in enumerate(sorted(groups, key=order)):  # type: ignore[arg-type]
        lines += [f"## {value} {{ #{slugify(value)} }}", "", slot(f"group:{number}"), ""]
        inserts[f"group:{number}"] = html_list(links.titled(e.ref_id) for e in groups[value])
    if not groups:
        lines.append("Nothing here yet.")
    return RenderedPage(links.uri, "\n".join(lines) + "\n", inserts)


_PRIORITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "Unset"]


def render_indexes(
    catalog: Catalog,
    coverage: Mapping[str, Coverage] | None = None,
    *,
    directory_urls: bool = True,
) -> list[RenderedPage]:
    """The browse pages: all entries (sortable), by type, category, priority, keyword.

    With `coverage` (each entry's, by REF-ID), the list of all entries says how much
    of the site's code is proven, and has a column for each entry's.
    """

    def on(uri: str) -> PageLinks:
        return PageLinks(catalog, f"{BROWSE_DIR}/{uri}", directory_urls)

    all_uri = f"{BROWSE_DIR}/index.md"
    count = len(catalog.entries)
    stubs = sum(e.is_stub for e in catalog.entries.values())
    lines = [
        "# All entries",
        "",
        f"{count} entries, {stubs} of them planned. Select a column heading to sort.",
        "",
    ]
    if coverage:
        site = functools.reduce(operator.add, coverage.values())
        with_code = sum(1 for c in coverage.values() if c.total)
        lines += [
            f'<p class="sima-coverage" data-proven="{site.proven}" data-total="{site.total}">'
            f"Proof coverage: {site.describe()}, in {with_code} entries with code. A proven "
            "block is a snippet whose claim the build checks; the others are shown as "
            "unproven.</p>",
            "",
        ]
    lines.append(f'<div class="sima-table">{slot("table")}</div>')
    table = _table(on("index.md"), catalog.entries.values(), coverage)
    return [
        RenderedPage(all_uri, "\n".join(lines) + "\n", {"table": table}),
        _grouped(
            on("types.md"),
            "By type",
            "Entries grouped by type.",
            lambda e: [e.meta.type],
        ),
        _grouped(
            on("categories.md"),
            "By category",
            "Entries grouped by category.",
            lambda e: [e.meta.category or "Uncategorised"],
        ),
        _grouped(
            on("priorities.md"),
            "By priority",
            "Entries grouped by priority, most urgent first.",
            lambda e: [e.meta.priority or "Unset"],
            order=_PRIORITIES.index,
        ),
        *keyword_pages(catalog, directory_urls=directory_urls),
        graph_page(catalog, directory_urls=directory_urls),
    ]


def keyword_pages(catalog: Catalog, *, directory_urls: bool = True) -> list[RenderedPage]:
    """`browse/keywords.md` (every keyword, with counts) and one page per keyword.

    Spellings that share a page (`Cold Start` and `cold-start`, as an imported
    knowledge base has them) are one keyword, shown in its most used spelling.
    """
    by_page: dict[str, list[Entry]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for entry in catalog.entries.values():
        pages_of_entry = set()
        for keyword in entry.meta.keywords:
            uri = keyword_uri(keyword)
            if uri not in pages_of_entry:
                pages_of_entry.add(uri)
                by_page.setdefault(uri, []).append(entry)
            counts = spellings.setdefault(uri, {})
            counts[keyword] = counts.get(keyword, 0) + 1
    groups = {
        min(spellings[uri], key=lambda k: (-spellings[uri][k], k)): entries
        for uri, entries in by_page.items()
    }
    index_uri = f"{BROWSE_DIR}/keywords.md"
    index = PageLinks(catalog, index_uri, directory_urls)
    lines = ["# By keyword", "", "Every keyword, with the number of entries that carry it.", ""]
    pages = []
    listed = []
    for keyword in sorted(groups, key=str.casefold):
        uri = keyword_uri(keyword)
        entries = groups[keyword]
        listed.append(f'<a href="{index.href(uri)}">{escape(keyword)}</a> ({len(entries)})')
        links = PageLinks(catalog, uri, directory_urls)
        body = [
            "---",
            f"title: {_yaml_string(f'Keyword: {keyword}')}",
            f"search:\n  boost: {INDEX_BOOST}",
            "---",
            "",
            f"# Keyword: {keyword}",
            "",
            f"{len(entries)} entr{'y carries' if len(entries) == 1 else 'ies carry'} this keyword.",
            "",
            slot("entries"),
            "",
            f"[All keywords]({relative(uri, index_uri)})",
        ]
        # A list, not a table: hundreds of keyword pages, and a table is that much
        # more HTML for every page to carry.
        inserts = {"entries": html_list(_item(links, e) for e in entries)}
        pages.append(RenderedPage(uri, "\n".join(body) + "\n", inserts))
    listing = {"keywords": html_list(listed)} if listed else {}
    lines.append(slot("keywords") if listed else "Nothing here yet.")
    return [RenderedPage(index_uri, "\n".join(lines) + "\n", listing), *pages]


def graph_page(catalog: Catalog, *, directory_urls: bool = True) -> RenderedPage:
    """`browse/graph.md`: every entry and every link, coloured by type, and a list."""
    uri = f"{BROWSE_DIR}/graph.md"
    links = PageLinks(catalog, uri, directory_urls)
    backlinks = backlinks_of(catalog)
    edges = [(b.source, target) for target, cited in backlinks.items() for b in cited]
    classes = type_classes(catalog.types)
    nodes = [links.node(r) for r in sorted(catalog.entries)]
    lines = [
        "# Graph",
        "",
        f"All {len(nodes)} entries and the {len(set(edges))} links between them. "
        "Select a node to open its entry.",
        "",
        f'<figure class="sima-graph sima-graph--site">{slot("graph")}{legend(classes)}</figure>',
        "",
        "## Every entry",
        "",
        slot("every"),
    ]
    outbound = links_out(backlinks)
    items = []
    for node in nodes:
        out = ", ".join(outbound.get(node.ref_id, [])) or "nothing"
        inbound = ", ".join(sorted({b.source for b in backlinks.get(node.ref_id, [])})) or "none"
        items.append(
            f"{links.titled(node.ref_id)} ({escape(node.type)}). "
            f"Links to {out}; linked from {inbound}."
        )
    inserts = {"graph": site_svg(nodes, edges, classes), "every": html_list(items)}
    return RenderedPage(uri, "\n".join(lines) + "\n", inserts)


NAV_PLACEHOLDER = f"{ENTRIES_DIR}/"


def expand_nav(nav: object, catalog: Catalog, *, listed: bool = True) -> object:
    """Replace the `entries/` placeholder in a nav with the entries, grouped by type.

    A nav item whose value is exactly `entries/` becomes one section per entry type,
    each listing its entries by ID; with `listed` false (too many entries for a
    sidebar) the item is dropped. Everything else is returned unchanged.
    """
    expanded = _expand(nav, catalog, listed)
    return [] if expanded is _DROPPED else expanded


_DROPPED = object()


def _expand(nav: object, catalog: Catalog, listed: bool) -> object:
    if nav == NAV_PLACEHOLDER:
        if not listed:
            return _DROPPED
        groups: dict[str, list[object]] = {}
        for entry in catalog.entries.values():
            label = f"{entry.ref_id}: {entry.title}"
            groups.setdefault(entry.meta.type, []).append({label: entry_uri(entry.ref_id)})
        return [{kind: groups[kind]} for kind in sorted(groups)]
    if isinstance(nav, list):
        items = (_expand(item, catalog, listed) for item in nav)
        return [item for item in items if item is not _DROPPED]
    if isinstance(nav, dict):
        kept = {key: _expand(value, catalog, listed) for key, value in nav.items()}
        kept = {key: value for key, value in kept.items() if value is not _DROPPED}
        return kept if kept or not nav else _DROPPED  # an item left empty goes too
    return nav
