"""Build the site and serve it like any static host: shared by the benchmarks and tests."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

#: Chromium flags this machine needs: no sandbox as root, and no background networking
#: (the closed network refuses it, many connections at a time).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium (`make chromium` installs it), or None when it is missing."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the usual types and no special headers (no COOP/COEP)."""

    extensions_map = {  # noqa: RUF012  (the base class declares it this way)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".whl": "application/zip",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(
    root: Path, handler: type[QuietHandler] = QuietHandler
) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `root` on a free port of 127.0.0.1, from a daemon thread, with `handler`
    (a [`QuietHandler`][sima_bench.site.QuietHandler] or a subclass that counts or
    refuses requests). Returns the server (shut it down when done) and its URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@contextmanager
def served(root: Path, handler: type[QuietHandler] = QuietHandler) -> Iterator[str]:
    """[`serve`][sima_bench.site.serve] as a context manager."""
    server, url = serve(root, handler)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


#: The generators that run the plugin, by the name `SIMA_GENERATOR` takes.
GENERATORS = ("mkdocs", "properdocs")


def generator() -> str:
    """The generator the tests and benchmarks build with: `SIMA_GENERATOR`, else mkdocs.

    ProperDocs is the maintained continuation of MkDocs 1.x: the same command line
    and configuration, and it runs `mkdocs.plugins` entry points such as this one.
    """
    name = os.environ.get("SIMA_GENERATOR", "mkdocs")
    if name not in GENERATORS:
        raise ValueError(f"SIMA_GENERATOR={name!r}: use one of {', '.join(GENERATORS)}")
    return name


def run_mkdocs(
    config: Path, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs` (or the [`generator`][sima_bench.site.generator] chosen) as a user
    would, in its own process; never raises on failure."""
    return run_python("-m", generator(), *args, "-f", str(config), env=env)


def run_python(
    *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run this Python with `args` in its own process, MkDocs' notice quiet; never raises."""
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        check=False,
    )
