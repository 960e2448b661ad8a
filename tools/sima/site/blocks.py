"""Snippets on the site: run each claim in the lab and render the block.

The lab ([`sima_lab`][sima_lab]) proves the claims; this module turns its results
into plain [`SnippetView`][sima.site.blocks.SnippetView] values and Markdown blocks that
carry the runner's stable hooks (`data-snippet`, `data-claim`).

A block shows the claim, the code, the timeline of its trace (a `figure` with
`data-timeline`, drawn by [`sima_lab.timeline`][sima_lab.timeline]), the trace
table in a `<details>`, and, for a bad snippet and the good one that fixes it (a
[`Pair`][sima.site.blocks.Pair]), a Diff button (`data-action="diff"`) that shows the
lines one removes and the other adds, with both verdicts.

The search index takes the claim and the code; the trace table and the diff carry
`data-search-exclude` (Material's search skips them), and the timeline goes in after
Markdown: the lab's output would otherwise be most of the index every page loads.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SnippetView:
    """Everything a page needs to show one snippet.

    Attributes:
        key: `<REF-ID>/<name>`, the snippet's stable name.
        path: The file, relative to the project root.
        source: The file's text: the bytes shown, tested and run are the same.
        claim: `good`, `bad` or `unproven`, as declared.
        says: The declared sentence of what happens.
        fails: On a bad claim, the failures its check must observe (`tmp-full`).
        status: `pass` (the lab observed the claim), `fail` or `error`; `unproven`
            for code no scenario checks (nothing was run).
        observed: What the lab's check observed, one sentence.
        report: The invocation trace and verdict as plain text.
        message: For `fail` and `error`, what went wrong, with `path:line`.
        fixes: On a good snippet, the name of the bad one it fixes (same folder).
        timeline: The trace as an SVG timeline (empty for unproven code).
    """

    key: str
    path: str
    source: str
    claim: str
    says: str
    status: str
    observed: str
    report: str
    message: str = ""
    fails: tuple[str, ...] = ()
    fixes: str | None = None
    timeline: str = ""

    @property
    def name(self) -> str:
        """The snippet's stem, `mistake1_user_sessions`."""
        return self.key.rsplit("/", 1)[-1]

    def verdict(self) -> str:
        """The claim and whether the lab observed it: `bad (session-leak): the claim holds`."""
        claim = f"{self.claim} ({', '.join(self.fails)})" if self.fails else self.claim
        holds = "the claim holds" if self.status == "pass" else "the claim does NOT hold"
        return f"{claim}: {holds}"


@dataclass(frozen=True)
class Pair:
    """A bad snippet and the good one whose claim says it fixes it (`fixes`)."""

    bad: SnippetView
    good: SnippetView

    @property
    def id(self) -> str:
        """The HTML id of the pair's diff panel."""
        return "sima-diff-" + re.sub(r"[^a-z0-9_-]", "-", self.good.key.lower())

    def partner(self, view: SnippetView) -> SnippetView:
        """The other snippet of the pair."""
        return self.good if view.key == self.bad.key else self.bad


def pairs_of(views: Mapping[str, SnippetView]) -> list[Pair]:
    """Every (bad, good) pair among `views`, by the good snippets' `fixes`."""
    found = []
    for view in views.values():
        if view.fixes is None:
            continue
        bad = views.get(f"{view.key.rsplit('/', 1)[0]}/{view.fixes}")
        if bad is not None:
            found.append(Pair(bad, view))
    return found


DIFF_CONTEXT = 2
"""Equal lines kept around a change in a diff; longer unchanged runs are folded."""


def _diff_lines(before: str, after: str) -> Iterable[str]:
    """Each line of the diff as HTML, with its newline: `<del>- ...`, `<ins>+ ...`, or
    an unchanged line (a long unchanged run is folded into one line that says how many
    it hides)."""
    old, new = before.rstrip("\n").split("\n"), after.rstrip("\n").split("\n")
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()

    def same(lines: Sequence[str]) -> Iterable[str]:
        return (f'<span class="sima-diff__eq">  {html.escape(x)}\n</span>' for x in lines)

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            yield from (f"<del>- {html.escape(x)}\n</del>" for x in old[i1:i2])
            yield from (f"<ins>+ {html.escape(x)}\n</ins>" for x in new[j1:j2])
            continue
        lines = old[i1:i2]
        head = DIFF_CONTEXT if index else 0
        tail = DIFF_CONTEXT if index < len(opcodes) - 1 else 0
        if len(lines) <= head + tail + 1:
            yield from same(lines)
            continue
        yield from same(lines[:head])
        hidden = len(lines) - head - tail
        yield f'<span class="sima-diff__gap">  ... {hidden} unchanged line(s) ...\n</span>'
        yield from same(lines[len(lines) - tail :])


def diff_html(pair: Pair, *, later: bool = False) -> str:
    """The pair's diff panel: both verdicts, then the lines removed (`-`) and added (`+`).

    Hidden until its Diff button opens it, and kept in a `<template>` until then (out
    of the page's elements, which Material's script works through at load); the
    markers `-` and `+` (and `<del>` and `<ins>`) say what changed, not colour alone.
    With `later`, the template is empty: the panel is in the page's later file (see
    [`later_path`][sima.site.blocks.later_path]) under the pair's ID, and is fetched
    when a reader opens it.
    """
    panel = "" if later else diff_panel(pair)
    return f'<template data-sima-later="{pair.id}" data-search-exclude>{panel}</template>'


def diff_panel(pair: Pair) -> str:
    """The diff panel itself, as [`diff_html`][sima.site.blocks.diff_html] shows it."""
    bad, good = pair.bad, pair.good
    label = f"Changes from {bad.name}.py (bad) to {good.name}.py (good)"
    lines = "".join(_diff_lines(bad.source, good.source))  # each line ends in its newline
    return (
        f'<div class="sima-diff" id="{pair.id}" role="region" aria-label="{html.escape(label)}" '
        "data-search-exclude hidden>"
        '<p class="sima-diff__head">'
        f'<span class="sima-diff__side sima-diff__side--del">- <code>{html.escape(bad.name)}.py'
        f"</code> {html.escape(bad.verdict())}</span> "
        f'<span class="sima-diff__side sima-diff__side--add">+ <code>{html.escape(good.name)}.py'
        f"</code> {html.escape(good.verdict())}</span></p>"
        f'<pre class="sima-diff__code"><code>{lines}</code></pre></div>'
    )


def _pair_line(view: SnippetView, pair: Pair, panel: str) -> str:
    other = pair.partner(view)
    how = "Fixed by" if view.key == pair.bad.key else "Fixes"
    return (
        f'<div class="sima-pair"><p>{how} <code>{html.escape(other.name)}.py</code> '
        '<button type="button" class="md-button sima-action" data-action="diff" '
        f'aria-controls="{pair.id}" aria-expanded="false">Diff</button></p>{panel}</div>'
    )


TIMELINE_KEY = (
    '<figcaption class="sima-tl-key"><span class="k k-c">cold (init hollow)</span>'
    '<span class="k k-w">warm</span><span class="k k-err">error</span>'
    '<span class="k k-l">state carried over</span><span class="k k-obs">what the check saw</span>'
    '<span class="sima-tl-row" aria-live="polite"></span></figcaption>'
)
"""The timeline's key, under every picture (shape and pattern as well as colour)."""


def timeline_figure(svg: str) -> str:
    """The figure that holds a snippet's timeline (`data-timeline`; `data-runs` counts
    the pictures the page drew after a Run)."""
    return f'<figure class="sima-timeline" data-timeline data-runs="0">{svg}{TIMELINE_KEY}</figure>'


def _fence(text: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def _inline(text: str) -> str:
    """Escape text for HTML, showing `backticked` spans as code."""
    parts = html.escape(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: show the text as written
        return html.escape(text)
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _failures(fails: tuple[str, ...]) -> str:
    """The declared failures, each as code, after the badge ('' for none)."""
    if not fails:
        return ""
    names = ", ".join(f"<code>{html.escape(name)}</code>" for name in fails)
    return (
        f' <span class="sima-fails" title="what the check must see go wrong, and nothing '
        f'else">fails with {names}</span>'
    )


#: The status (and claim) of a snippet no scenario checks.
UNPROVEN = "unproven"


def render_unproven(view: SnippetView) -> str:
    """The block of unproven code: an UNPROVEN badge, the sentence, the code.

    It carries `data-unproven` instead of `data-snippet`, so the browser's runner
    leaves it alone: there is no claim it could check, hence no Run and no verdict.
    """
    name = view.key.rsplit("/", 1)[-1]
    return "\n".join(
        [
            "",
            f'<div class="sima-snippet sima-snippet--unproven" '
            f'data-unproven="{html.escape(view.key)}" data-claim="{UNPROVEN}" '
            f'data-status="{UNPROVEN}" markdown="1">',
            "",
            f'<p class="sima-claim"><span class="sima-badge sima-badge--unproven" '
            f'title="no scenario checks this code yet">unproven</span> {_inline(view.says)}</p>',
            "",
            _fence(view.source, f'python title="{name}.py" linenums="1"'),
            "",
            '<p class="sima-unproven-note">Not proven: no scenario checks this code yet, '
            "so the page claims nothing about what it does. Prove it by giving it a good "
            f"or bad claim and a scenario in <code>{html.escape(view.path.rsplit('/', 1)[0])}"
            "/claims.toml</code>.</p>",
            "",
            "</div>",
            "",
        ]
    )


def render_snippet(
    view: SnippetView,
    *,
    timeline: str | None = None,
    pairs: Sequence[tuple[Pair, str]] = (),
    trace: str | None = None,
) -> str:
    """The Markdown block of a snippet: claim badge, code, and what the lab saw.

    Args:
        view: The snippet.
        timeline: What stands for the timeline's figure (default: the figure of
            `view.timeline`); a page passes a slot marker and puts the figure in
            after Markdown, out of the search index.
        pairs: The pairs the snippet belongs to, each with the HTML of its diff
            panel when this block holds it (else ''): a pair's panel is on the page
            once, and its Diff button on both blocks shows it.
        trace: What stands for the trace (default: [`trace_html`][sima.site.blocks.trace_html]
            of the view); a page passes a slot marker, as for the timeline.
    """
    if view.status == UNPROVEN:
        return render_unproven(view)
    name = view.key.rsplit("/", 1)[-1]
    parts = [
        "",
        f'<div class="sima-snippet" data-snippet="{html.escape(view.key)}" '
        f'data-claim="{html.escape(view.claim)}" data-status="{view.status}" '
        # The stylesheet sizes a block it has not laid out yet from its lines of code
        # and its timeline's height (sima.css, `contain-intrinsic-size`).
        f'style="--sima-lines: {view.source.rstrip().count(chr(10)) + 1}; '
        f'--sima-figure: {svg_height(view.timeline)}" markdown="1">',
        "",
        f'<p class="sima-claim"><span class="sima-badge sima-badge--{view.claim}">'
        f"{view.claim}</span>{_failures(view.fails)} {_inline(view.says)}</p>",
        "",
        _fence(view.source, f'python title="{name}.py" linenums="1"'),
        "",
        timeline_figure(view.timeline) if timeline is None else timeline,
        "",
        *(_pair_line(view, pair, panel) for pair, panel in pairs),
        "",
    ]
    if view.status != "pass":
        parts += [
            '!!! failure "The claim does not hold"',
            "",
            "    " + html.escape(view.message),
            "",
        ]
    parts += [
        trace_html(view) if trace is None else trace,
        "",
        "</div>",
        "",
    ]
    return "\n".join(parts)


def trace_html(view: SnippetView, later: str | None = None) -> str:
    """What the lab observed, behind its summary: the trace table, in a `<template>`
    that the page opens into the `<details>` when a reader opens it. Closed, it is no
    element of the page, so Material's script does not work through 21 of them at
    load (on a phone, about a third of the time the page blocked).

    With `later` (a key), the template is empty: the table is in the page's later
    file under that key, fetched when a reader opens the trace."""
    verdict = "holds" if view.status == "pass" else "does NOT hold"
    table = "" if later else trace_table(view)
    key = f'="{html.escape(later)}"' if later else ""
    return (
        '<details class="sima-trace" data-search-exclude>'
        f"<summary>What the lab observed: the claim {verdict}. "
        f"{html.escape(view.observed)}</summary>"
        f"<template data-sima-later{key}>{table}</template></details>"
    )


def trace_table(view: SnippetView) -> str:
    """The trace table itself, as [`trace_html`][sima.site.blocks.trace_html] shows it."""
    return (
        '<div class="highlight"><pre><span></span><code>'
        f"{html.escape(view.report)}</code></pre></div>"
    )


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


_SVG_HEIGHT = re.compile(r'\sheight="(\d+(?:\.\d+)?)"')


def svg_height(svg: str) -> int:
    """The height in pixels an `<svg>` element states for itself (0 for none)."""
    found = _SVG_OPEN.match(svg)
    height = _SVG_HEIGHT.search(found.group(0)) if found else None
    return round(float(height.group(1))) if height else 0


def timeline_placeholder(svg: str, key: str) -> str:
    """The timeline's `<svg>` element without its drawing, marked with the key of its
    picture file ([`picture_path`][sima.site.blocks.picture_path]): the same size,
    role and text alternative, so the page keeps its place and says what it shows
    until the page draws it, when the block comes near the reader's view. Empty for
    an empty timeline."""
    found = _SVG_OPEN.match(svg)
    if found is None:
        return svg
    return f'{found.group(0)[:-1]} data-sima-picture="{html.escape(key)}"></svg>'


#: What a page's later file ends in, in place of the page's `.html`.
LATER_SUFFIX = ".later.json"


def beside(dest_uri: str, suffix: str) -> str:
    """The path of a file the build writes beside the page at `dest_uri` (its HTML's
    path in the site): `index.html` -> `index<suffix>`. The page's script finds it
    the same way from the page's own address (`besideUrl` in `frontend/later.mjs`)."""
    stem = dest_uri[: -len(".html")] if dest_uri.endswith(".html") else dest_uri
    return stem + suffix


def picture_path(dest_uri: str, key: str) -> str:
    """Where the build writes the picture `key` of the page at `dest_uri`: beside it,
    `index.html` -> `index.<key>.svg`, a whole SVG file."""
    return beside(dest_uri, f".{key}.svg")


def later_path(dest_uri: str) -> str:
    """Where the build writes the later file of the page at `dest_uri`: beside it,
    `index.html` -> `index.later.json`. It holds, by key, the HTML of the page's
    traces and diff panels, which a reader may never open: out of the page, they are
    not part of what every visit downloads."""
    return beside(dest_uri, LATER_SUFFIX)
