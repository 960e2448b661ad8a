"""Shared fixtures: a throwaway project (mkdocs.yml, entries/, snippets/) per test."""

from __future__ import annotations

import io
import os
import re
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import pytest
from filelock import FileLock

from sima.content.settings import Settings
from sima_bench.site import QuietHandler, run_mkdocs, serve

__all__ = [
    "BUILT_FOR",
    "ROOT",
    "RUN_TIMEOUT",
    "Project",
    "Served",
    "Site",
    "entry_text",
    "run_mkdocs",
    "serve",
    "serving",
]

ROOT = Path(__file__).resolve().parent.parent
#: The browser's time limit for a run in the test build (the site's default is 10 s).
#: Short, since the time-limit tests wait it out; not 3 s, which the heaviest run that
#: must finish (a million printed lines) kept to alone but passed with the other test
#: worker on the same 2 cores.
RUN_TIMEOUT = 5
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
      runner: {runner}
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
    """A temporary knowledge-base project on disk.

    Without the in-page runner unless asked for (`runner=True`): building its runtime
    (the lab's wheel, a trimmed standard library found by running the claims in
    Pyodide, a memory snapshot) takes most of a small build, and most tests are about
    something else.
    """

    def __init__(self, root: Path, *, runner: bool = False) -> None:
        self.root = root
        (root / "entries").mkdir()
        (root / "snippets").mkdir()
        (root / "docs").mkdir()
        (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
        (root / "mkdocs.yml").write_text(
            MKDOCS_YML.format(node_modules=ROOT / "node_modules", runner=str(runner).lower()),
            encoding="utf-8",
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


@dataclass
class Served:
    """A folder served over HTTP on 127.0.0.1."""

    root: Path
    url: str


#: The address the real site is built for. Each test session serves the build on a port
#: of its own, its sitemap naming that port (as a build for it would); only the
#: canonical links keep this one.
BUILT_FOR = "http://127.0.0.1:8000/"
SITEMAP = re.compile(r"^/sitemap\.xml$")


@dataclass
class Site:
    """The built site on its own port: the paths it was asked for, in order (by the
    page, its workers and the site's service worker alike), and rules that refuse a
    path (the connection closes unanswered) or answer it with a status and body of
    the test's."""

    url: str = ""
    sent: list[str] = field(default_factory=list)
    rules: dict[re.Pattern[str], tuple[int, bytes] | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requested(self, pattern: re.Pattern[str]) -> list[str]:
        with self.lock:
            return [p for p in self.sent if pattern.search(p)]

    def refuse(self, pattern: re.Pattern[str]) -> None:
        self.rules[pattern] = None

    def answer(self, pattern: re.Pattern[str], status: int, body: bytes) -> None:
        self.rules[pattern] = (status, body)

    def allow(self, pattern: re.Pattern[str]) -> None:
        self.rules.pop(pattern, None)


class SiteHandler(QuietHandler):
    site: Site

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = urlsplit(self.path).path
        with self.site.lock:
            self.site.sent.append(path)
        for pattern, rule in list(self.site.rules.items()):
            if not pattern.search(path):
                continue
            if rule is None:
                self.close_connection = True
                return None
            status, body = rule
            self.send_response(status)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


@contextmanager
def serving(root: Path, built_for: str = BUILT_FOR) -> Iterator[Site]:
    """`root`, built for the address `built_for`, served on a port of its own. Its
    sitemap names that port instead, as a build for it would: instant navigation
    follows only the links the sitemap lists (host and protocol aside)."""
    site = Site()
    server, site.url = serve(root, type("Handler", (SiteHandler,), {"site": site}))
    sitemap = (root / "sitemap.xml").read_text(encoding="utf-8")
    site.answer(SITEMAP, 200, sitemap.replace(built_for, site.url).encode())
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with `--strict` for `BUILT_FOR`.

    Under pytest-xdist (`make test` runs two workers) the workers share one build:
    the first to get here builds it while holding a lock, the others wait and read it.
    """
    base = tmp_path_factory.getbasetemp()
    run = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # shared by workers
    out, done = run / "real-site", run / "real-site.built"
    with FileLock(run / "real-site.lock"):
        if not done.is_file():
            build_real_site(out, BUILT_FOR)
            done.touch()
    return out


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[Served]:
    """The real site served on a free port, its sitemap rewritten for that port."""
    with serving(built_site) as site:
        yield Served(built_site, site.url)


def build_real_site(out: Path, url: str, run_timeout: int = RUN_TIMEOUT) -> None:
    """Build this repository's site with `--strict` into `out`, for the address `url`,
    with the runner's time limit `run_timeout` (seconds); fail with MkDocs' output."""
    result = run_mkdocs(
        ROOT / "mkdocs.yml",
        "build",
        "--strict",
        "-d",
        str(out),
        env={"SIMA_SITE_URL": url, "SIMA_RUN_TIMEOUT": str(run_timeout)},
    )
    assert result.returncode == 0, result.stderr
