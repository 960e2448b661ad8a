"""`mkdocs serve --dirty`: rebuild only the pages an edit changed.

MkDocs' dirty reload skips a page whose file is not modified. A hand-written page is
modified when its source is newer than its output; a page the plugin generates has
no source file, so MkDocs would rebuild every one of them after any edit. The plugin
remembers, for one serve session, what it generated ([`Generated`][sima.site.dirty.Generated]):
a hash of each generated page's Markdown and inserts, and the site's shape (the
entries' IDs and titles, the generated pages, the nav). After an edit:

- a generated page whose hash is the same is handed to MkDocs as unchanged
  ([`UnchangedFile`][sima.site.dirty.UnchangedFile]), so MkDocs keeps its output;
- a page whose backlinks, snippets or index rows changed has a new hash, so it is
  rebuilt with the edited one;
- when the shape changed (an entry added, removed or retitled, which every page's nav
  and every linked ID may show), nothing is kept: every page is rebuilt, the
  hand-written ones too (their outputs are removed, which MkDocs reads as modified).

Every rebuild also loads the theme afresh, and compiling its templates was the
largest part of what an edit cost: [`TemplateCache`][sima.site.dirty.TemplateCache] keeps
them compiled for the session (Jinja's bytecode cache, checked against each
template's source, so an edited override is compiled again).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from mkdocs.structure.files import File, Files
from watchdog.observers.polling import PollingObserver


class UnchangedFile(File):
    """A generated page with the same content as in the previous build of this
    `mkdocs serve` session: under `--dirty`, MkDocs keeps its output."""

    def is_modified(self) -> bool:
        return False


class TemplateCache(BytecodeCache):
    """Compiled theme templates, in memory, for one `mkdocs serve` session."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def page_hash(markdown: str, inserts: Mapping[str, str]) -> str:
    """What a generated page's output depends on, besides the site's shape."""
    digest = hashlib.sha256(markdown.encode("utf-8"))
    for key in sorted(inserts):
        digest.update(b"\0" + key.encode("utf-8") + b"\0" + inserts[key].encode("utf-8"))
    return digest.hexdigest()


def site_shape(titles: Mapping[str, str], pages: Iterable[str], nav: object) -> str:
    """A hash of what every page shows of the others: the entries' IDs and titles,
    the generated pages' paths, and the configured nav."""
    shape = {"titles": dict(sorted(titles.items())), "pages": sorted(pages), "nav": nav}
    text = json.dumps(shape, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Generated:
    """What the plugin generated in one build: page path -> hash, and the shape."""

    hashes: dict[str, str] = field(default_factory=dict)
    shape: str = ""

    def unchanged(self, previous: Generated | None, uri: str) -> bool:
        """Whether page `uri` can be kept from the `previous` build."""
        return (
            previous is not None
            and previous.shape == self.shape
            and uri in previous.hashes
            and previous.hashes[uri] == self.hashes.get(uri)
        )


def rebuild_written_pages(files: Files) -> int:
    """Remove the outputs of the hand-written pages in `files` (MkDocs then reads
    them as modified, and rebuilds them under `--dirty`); how many there were."""
    removed = 0
    for file in files.documentation_pages():
        if file.generated_by is None:
            path = Path(file.abs_dest_path)
            if path.is_file():
                path.unlink()
                removed += 1
    return removed


#: How often `mkdocs serve` looks for edits, in seconds, with the plugin (MkDocs: 0.5).
POLL_INTERVAL_S = 0.2


def poll_sooner(server: Any, interval: float = POLL_INTERVAL_S) -> bool:
    """Make `mkdocs serve` look for edits every `interval` seconds instead of 0.5.

    MkDocs watches by polling (it works where file events do not reach, such as
    some container mounts), every half second: on average a quarter of a second
    passes before a saved edit is even seen, a large part of what an author waits
    for once a rebuild takes well under a second. The server's observer is replaced
    before it starts, and the paths it watched are watched again on the new one.

    Returns False, and changes nothing, when the server is not the MkDocs 1.6
    `LiveReloadServer` this knows (then it keeps its own interval).
    """
    watched = getattr(server, "_watched_paths", None)
    observer = getattr(server, "observer", None)
    if not isinstance(watched, dict) or not isinstance(observer, PollingObserver):
        return False
    if observer.is_alive():
        return False
    counts = dict(watched)
    for path, count in counts.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = PollingObserver(timeout=interval)
    for path, count in counts.items():
        for _ in range(count):
            server.watch(path)
    return True
