"""The Content-Security-Policy of every page: the browser may load from the site only.

A static host does not let the site choose its response headers, so the policy goes
into each page as `<meta http-equiv="Content-Security-Policy">`, before anything the
page loads. It allows the site's own origin (`'self'`) and nothing else for scripts,
styles, images, fonts, connections and workers, so that whatever a reader runs in
the page cannot send a request to another host:

- scripts: the site's files, and each inline script of that page by its hash
  (mkdocs-material writes three: the scope setup, the palette and the tab anchor);
  `'wasm-unsafe-eval'` lets Pyodide compile WebAssembly; no `'unsafe-eval'`, so
  JavaScript cannot be made from a string (`eval`, `Function`, string timers);
- styles: the site's files and inline styles (Material and the SVG plots set
  them; a style cannot reach another host, `img-src` and `font-src` still apply);
- images and fonts: the site's files and `data:` URLs (Material's icons);
- workers: the site's files and `blob:`, because the runner starts its worker from a
  `blob:` URL precisely so that the worker runs under this policy too (a worker
  fetched from a URL would get its policy from its own response headers);
- nothing for `<object>`, and `<base>` and form targets only on the site.

`mkdocs serve` injects an inline live-reload script with a new number on every
request, which no hash can name: there, inline scripts are allowed instead.
A `<meta>` policy cannot say `frame-ancestors` or `report-uri`; a host that can set
headers can add those.

The inline scripts are found by the HTML tokenizer's own rule (a script's text runs
to the first `</script`), not by parsing the page: a full parse of every page would
cost more than the rest of the build.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

#: Directives of the policy, before the hashes of a page's inline scripts.
DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", "'wasm-unsafe-eval'"),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "worker-src": ("'self'", "blob:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
}

#: `type` values of a script that runs (HTML's JavaScript MIME types, the common ones).
_SCRIPT_TYPES = frozenset({"", "module", "text/javascript", "application/javascript"})


class _StartTag(HTMLParser):
    """Reads the attributes of one start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes = {name: value or "" for name, value in attrs}


def _attributes(tag: str) -> dict[str, str]:
    parser = _StartTag()
    parser.feed(tag)
    parser.close()
    return parser.attributes


def inline_scripts(html: str) -> list[str]:
    """The text of each inline script of `html` that a browser would run."""
    found: list[str] = []
    lower = html.lower()
    start = lower.find("<script")
    while start >= 0:
        tag_end = lower.find(">", start)
        close = lower.find("</script", tag_end)
        if tag_end < 0 or close < 0:
            break
        attributes = _attributes(html[start : tag_end + 1])
        if "src" not in attributes and attributes.get("type", "").lower() in _SCRIPT_TYPES:
            found.append(html[tag_end + 1 : close])
        start = lower.find("<script", close)
    return found


def script_hash(text: str) -> str:
    """The CSP source that allows one inline script: `'sha256-<base64>'`."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def policy(scripts: list[str], *, any_inline: bool = False) -> str:
    """The policy's text for a page with these inline scripts.

    Args:
        scripts: The page's inline scripts (allowed by their hashes).
        any_inline: Allow every inline script instead (`mkdocs serve`).
    """
    directives = dict(DIRECTIVES)
    if any_inline:
        directives["script-src"] = (*directives["script-src"], "'unsafe-inline'")
    else:
        hashes = dict.fromkeys(script_hash(s) for s in scripts)
        directives["script-src"] = (*directives["script-src"], *hashes)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def add_policy(html: str, *, any_inline: bool = False) -> str:
    """`html` with the policy's `<meta>` tag first in `<head>` (after `<meta charset>`).

    A page without `<head>` is returned as it is.
    """
    lower = html.lower()
    head = lower.find("<head")
    head_end = lower.find(">", head) if head >= 0 else -1
    if head_end < 0:
        return html
    at = head_end + 1
    charset = lower.find("<meta charset", at)
    if charset >= 0 and lower.find("<", at) == charset:
        at = lower.find(">", charset) + 1
    content = policy(inline_scripts(html), any_inline=any_inline)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    return html[:at] + meta + html[at:]
