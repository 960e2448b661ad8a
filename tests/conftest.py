"""Shared fixtures: a throwaway project (mkdocs.yml, entries/, snippets/) per test."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sima.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
#: The browser's time limit for a run in the test build (the site's default is 10 s).
RUN_TIMEOUT = 3
PREFIXES = {
    "LESS": "Lesson Learned",
    "INT": "Interface Pattern",
    "ARCH": "Architecture Pattern",
    "DEC": "Design Decision",
    "LANG": "Language Pattern",
}

MKDOCS_YML = """\
site_name: Test KB
site_url: http://127.0.0.1:8000/
theme:
  name: material
  font: false
plugins:
  - sima:
      node_modules: {node_modules}
      prefixes:
        LESS: Lesson Learned
        INT: Interface Pattern
        ARCH: Architecture Pattern
        DEC: Design Decision
        LANG: Language Pattern
"""


def entry_text(ref_id: str, title: str, body: str = "", **fields: str) -> str:
    """An entry file's text with the given front matter and body."""
    lines = ["---", f"REF-ID: {ref_id}", f'title: "{title}"', "type: Lesson Learned"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", textwrap.dedent(body).strip("\n"), ""]
    return "\n".join(lines)


class Project:
    """A temporary knowledge-base project on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "entries").mkdir()
        (root / "snippets").mkdir()
        (root / "docs").mkdir()
        (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
        (root / "mkdocs.yml").write_text(
            MKDOCS_YML.format(node_modules=ROOT / "node_modules"), encoding="utf-8"
        )

    @property
    def settings(self) -> Settings:
        return Settings.from_options(self.root, {"prefixes": PREFIXES})

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def entry(self, ref_id: str, title: str, body: str = "", **fields: str) -> Path:
        return self.write(f"entries/{ref_id}.md", entry_text(ref_id, title, body, **fields))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def make_project(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Project]:
    return lambda: Project(tmp_path_factory.mktemp("kb"))


def run_mkdocs(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs` as a user would, in its own process; never raises on failure."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args, "-f", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        check=False,
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """A static file server like any static host: no special headers, no logging."""

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


@dataclass
class Served:
    """A folder served over HTTP on 127.0.0.1 (the site is built into it later)."""

    root: Path
    url: str


@pytest.fixture(scope="session")
def site_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """An HTTP server on a free port, serving a folder the site is built into."""
    root = tmp_path_factory.mktemp("served")
    server, url = serve(root)
    yield Served(root, url)
    server.shutdown()
    server.server_close()


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a static server for `root` on a free port of 127.0.0.1."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def built_site(site_server: Served) -> Path:
    """The real site, built once with `--strict` for the address it is served from."""
    result = run_mkdocs(
        ROOT / "mkdocs.yml",
        "build",
        "--strict",
        "-d",
        str(site_server.root),
        env={"SIMA_SITE_URL": site_server.url, "SIMA_RUN_TIMEOUT": str(RUN_TIMEOUT)},
    )
    assert result.returncode == 0, result.stderr
    return site_server.root
