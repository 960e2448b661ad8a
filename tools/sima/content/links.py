"""Find REF-ID mentions in Markdown prose and turn them into links.

One compiled pattern scans the text once. Its alternatives match, in order, what must
be left alone (fenced code, inline code, existing links and images, autolinks, raw
URLs, HTML tags, headings) and, last, an ID. Only the ID alternative is acted on, so
an ID inside any protected span is never touched. Everything here is pure: plain
strings in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html import escape

from sima.content.ids import id_regex

_PROTECTED = [
    # fenced code: ``` or ~~~ (3+), up to the matching closing fence or end of text
    r"(?P<fence>^(?P<findent>[ \t]{0,3})(?P<fchar>`{3,}|~{3,})[^\n]*\n(?:.*?\n)??"
    r"(?P=findent)?[ \t]{0,3}(?P=fchar)[`~]*[ \t]*(?:\n|\Z)|^[ \t]{0,3}(?:`{3,}|~{3,}).*\Z)",
    # inline code: a run of backticks up to the same run
    r"(?P<code>(?P<ticks>`+).+?(?<!`)(?P=ticks)(?!`))",
    # headings: mentions there would break anchors
    r"(?P<heading>^[ \t]{0,3}\#{1,6}(?:[ \t][^\n]*)?$)",
    # links, images and reference definitions
    r"(?P<link>!?\[(?:[^\[\]]|\[[^\[\]]*\])*\](?:\([^)\n]*\)|\[[^\]\n]*\])?"
    r"|^[ \t]{0,3}\[[^\]\n]+\]:[^\n]*$)",
    # HTML anchors with their text, then other tags (attributes can hold IDs)
    r"(?P<anchor><a\b[^>]*>.*?</a\s*>)",
    r"(?P<tag></?[A-Za-z][^>\n]*>|<[a-z]+://[^>\n]*>)",
    # bare URLs
    r"(?P<url>\b(?:https?|ftp)://[^\s<>()]+)",
]


@dataclass(frozen=True)
class Mention:
    """An ID written in prose.

    Attributes:
        ref_id: The ID as written.
        line: 1-based line in the scanned text.
        start: Offset of the ID in the scanned text.
        sentence: The sentence around it, as plain one-line text.
    """

    ref_id: str
    line: int
    start: int
    sentence: str


@dataclass(frozen=True)
class LinkTarget:
    """What an ID links to."""

    url: str
    title: str
    planned: bool = False


class MentionScanner:
    """Scans Markdown for ID mentions with one compiled pattern.

    Args:
        prefixes: The configured ID prefixes.
    """

    def __init__(self, prefixes: Iterable[str]) -> None:
        alternatives = [*_PROTECTED, rf"(?P<id>{id_regex(prefixes)})"]
        self._pattern = re.compile("|".join(alternatives), re.MULTILINE | re.DOTALL)
        # Mentions by text (the catalog's checks and its backlinks scan each body), and
        # linked text by text and targets: a kept scanner makes a rebuild scan only
        # what changed.
        self._mentions: dict[str, tuple[Mention, ...]] = {}
        self._linked: dict[tuple[str, bool, tuple[tuple[str, LinkTarget | None], ...]], str] = {}

    def _ids(self, text: str) -> Iterator[re.Match[str]]:
        for match in self._pattern.finditer(text):
            if match.lastgroup == "id":
                yield match

    def mentions(self, text: str) -> list[Mention]:
        """Every ID mentioned in prose, in order, with line and citing sentence."""
        known = self._mentions.get(text)
        if known is None:
            known = self._mentions[text] = tuple(self._scan(text))
        return list(known)

    def _scan(self, text: str) -> list[Mention]:
        found = []
        for match in self._ids(text):
            start = match.start("id")
            found.append(
                Mention(
                    ref_id=match.group("id"),
                    line=text.count("\n", 0, start) + 1,
                    start=start,
                    sentence=sentence_around(text, start),
                )
            )
        return found

    def link(
        self, text: str, resolve: Callable[[str], LinkTarget | None], *, html: bool = False
    ) -> str:
        """Replace each resolvable ID mention by a Markdown link (or, with `html`, by an
        HTML `<a>`, for text that is HTML already or needs no Markdown).

        `resolve` maps an ID to its target or None; unresolved IDs stay as text (the
        catalog reports them). Links carry the target's title as tooltip and the
        classes `sima-ref` (and `sima-planned` for stubs), through `attr_list` in
        Markdown. The result is remembered by text and by what `resolve` gave for its
        mentions.
        """
        known = self._mentions.get(text)
        if known is None:  # not scanned before: find the IDs alone (no sentences)
            ids = dict.fromkeys(match.group("id") for match in self._ids(text))
        else:
            ids = dict.fromkeys(mention.ref_id for mention in known)
        key = (text, html, tuple((ref_id, resolve(ref_id)) for ref_id in ids))
        linked = self._linked.get(key)
        if linked is None:
            linked = self._linked[key] = self._link(text, resolve, html)
        return linked

    def _link(self, text: str, resolve: Callable[[str], LinkTarget | None], html: bool) -> str:

        def replace(match: re.Match[str]) -> str:
            if match.lastgroup != "id":
                return match.group(0)
            ref_id = match.group("id")
            target = resolve(ref_id)
            if target is None:
                return ref_id
            if html:
                return html_link(ref_id, target)
            title = target.title.replace('"', "&quot;")
            classes = ".sima-ref .sima-planned" if target.planned else ".sima-ref"
            return f'[{ref_id}]({target.url} "{title}"){{ {classes} data-ref="{ref_id}" }}'

        return self._pattern.sub(replace, text)


def html_link(ref_id: str, target: LinkTarget) -> str:
    """The `<a>` an ID becomes: the same element its Markdown link gives."""
    classes = "sima-ref sima-planned" if target.planned else "sima-ref"
    return (
        f'<a class="{classes}" data-ref="{escape(ref_id)}" href="{escape(target.url)}" '
        f'title="{escape(target.title)}">{escape(ref_id)}</a>'
    )


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n[ \t]*(?:`{3,}|~{3,}|#)[^\n]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\[(])")
#: The start of a Markdown link or image, and the whole of one.
_LINK_OPENING = re.compile(r"!?\[")
_WHOLE_LINK = re.compile(r"!?\[[^\[\]]*\]\([^()]*\)")
_MARKUP = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)]|>)\s+)+", re.MULTILINE)


def sentence_around(text: str, offset: int, limit: int = 240) -> str:
    """The sentence of the paragraph around `offset`, as one plain line.

    List markers and block quotes are removed, white space folded; a sentence longer
    than `limit` is cut at a word boundary with an ellipsis.
    """
    para_start = 0
    for boundary in _PARAGRAPH_BREAK.finditer(text, 0, offset):
        para_start = boundary.end()
    after = _PARAGRAPH_BREAK.search(text, offset)
    para_end = after.start() if after else len(text)
    para = text[para_start:para_end]
    local = offset - para_start
    start = 0
    for boundary in _SENTENCE_END.finditer(para):
        if boundary.end() <= local:
            start = boundary.end()
        else:
            end = boundary.start()
            break
    else:
        end = len(para)
    sentence = " ".join(_MARKUP.sub("", para[start:end]).split())
    if len(sentence) > limit:
        short = sentence[:limit].rsplit(" ", 1)[0]
        opened = [m.start() for m in _LINK_OPENING.finditer(short)]
        if opened and not _WHOLE_LINK.match(short, opened[-1]):  # cut inside a link
            short = short[: opened[-1]].rstrip(" (")
        sentence = short + " …"
    if sentence.count("`") % 2:
        sentence = sentence.replace("`", "")
    return sentence


_LABELLED = re.compile(
    r"^[ \t]*[-*+][ \t]+(?:\*\*|__)?(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)(?:\*\*|__)?"
    r"[ \t]*(?::|—|–|-{1,2})[ \t]*(?P<label>[^\n]+?)[ \t]*$",  # noqa: RUF001
    re.MULTILINE,
)
_WORDS = re.compile(r"[\W_]+")


def _norm(text: str) -> str:
    return _WORDS.sub(" ", text.replace("*", "")).strip().casefold()


def mislabelled(text: str, titles: Mapping[str, str]) -> list[tuple[int, str, str, str]]:
    """List items that label an ID with words other than its title.

    A line such as `- **LESS-17**: Performance optimization` names LESS-17 with a
    hand-written label; when the label is not the entry's title (ignoring case and
    punctuation), readers are misled. Returns `(line, id, label, title)` tuples.
    """
    found = []
    for match in _LABELLED.finditer(text):
        ref_id, label = match.group("id"), match.group("label")
        title = titles.get(ref_id)
        if title is not None and _norm(label) != _norm(title):
            found.append((text.count("\n", 0, match.start()) + 1, ref_id, label, title))
    return found


@dataclass(frozen=True)
class Backlink:
    """One entry citing another.

    Attributes:
        source: The citing entry's ID.
        sentence: The citing sentence, or None when the citation is in front matter.
        how: `mention`, `related` or `next`.
    """

    source: str
    sentence: str | None
    how: str


def collect_backlinks(
    documents: Iterable[tuple[str, str, Iterable[str], str | None]],
    scanner: MentionScanner,
) -> dict[str, list[Backlink]]:
    """Who cites whom, from `(ref_id, body, related, next)` tuples.

    Each citing entry appears once per target: with its first citing sentence when
    the body mentions the target, else as a front-matter relation. Self-citations
    are left out. Lists are ordered by citing ID.
    """
    found: dict[str, dict[str, Backlink]] = {}
    for ref_id, body, related, next_id in documents:
        for mention in scanner.mentions(body):
            if mention.ref_id != ref_id:
                found.setdefault(mention.ref_id, {}).setdefault(
                    ref_id, Backlink(ref_id, mention.sentence, "mention")
                )
        for target in related:
            if target != ref_id:
                found.setdefault(target, {}).setdefault(ref_id, Backlink(ref_id, None, "related"))
        if next_id and next_id != ref_id:
            found.setdefault(next_id, {}).setdefault(ref_id, Backlink(ref_id, None, "next"))
    return {target: [by[k] for k in sorted(by)] for target, by in found.items()}
