"""Snippets on the site: run each claim in the lab and render the block.

The lab ([`sima_lab`][sima_lab]) proves the claims; this module turns its results
into plain [`SnippetView`][sima.snippets.SnippetView] values and Markdown blocks that
carry the runner's stable hooks (`data-snippet`, `data-claim`).
"""

from __future__ import annotations

import html
import re
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


def render_snippet(view: SnippetView) -> str:
    """The Markdown block of a snippet: claim badge, code, and what the lab saw."""
    if view.status == UNPROVEN:
        return render_unproven(view)
    name = view.key.rsplit("/", 1)[-1]
    verdict = "holds" if view.status == "pass" else "does NOT hold"
    parts = [
        "",
        f'<div class="sima-snippet" data-snippet="{html.escape(view.key)}" '
        f'data-claim="{html.escape(view.claim)}" data-status="{view.status}" markdown="1">',
        "",
        f'<p class="sima-claim"><span class="sima-badge sima-badge--{view.claim}">'
        f"{view.claim}</span>{_failures(view.fails)} {_inline(view.says)}</p>",
        "",
        _fence(view.source, f'python title="{name}.py" linenums="1"'),
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
        f'<details class="sima-trace" markdown="1"><summary>What the lab observed: '
        f"the claim {verdict}. {html.escape(view.observed)}</summary>",
        "",
        _fence(view.report, "text"),
        "",
        "</details>",
        "",
        "</div>",
        "",
    ]
    return "\n".join(parts)
