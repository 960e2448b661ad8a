"""Browser tests: Debian Chromium driven by Playwright against the built site.

Chromium is launched with the flags this machine needs (no sandbox as root, no
background networking, which the closed network refuses). Every page records the
requests it makes, so a test can assert that none left the site's host.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright

from conftest import Served
from sima_bench.site import CHROMIUM_FLAGS, chromium_path


def chromium() -> str:
    found = chromium_path()
    if found is None:
        pytest.fail("Chromium is not installed: run `make chromium` (make test does)")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright gives each launch a new, empty profile of its own.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page of the served site, with every request it made: its own and its
    workers' (`requests`), and those the site's service worker made for them, on
    the network leg, or to keep files for later (`sw_requests`)."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    sw_requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path.lstrip("/"))

    def foreign(self) -> list[str]:
        """Requests to any host but the site's own."""
        host = urlparse(self.base).netloc
        return [
            u
            for u in [*self.requests, *self.sw_requests]
            if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).netloc != host
        ]


@contextmanager
def opened(browser: Browser, server: Served) -> Iterator[Visit]:
    """A new browser context (empty cache, no worker) on the served site."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Visit(page, server.url)

    def record(request: Request) -> None:
        made_by_sw = request.service_worker is not None
        (seen.sw_requests if made_by_sw else seen.requests).append(request.url)

    context.on("request", record)  # the context sees the workers' requests too
    try:
        yield seen
    finally:
        context.close()


@pytest.fixture
def visit(browser: Browser, built_site: Path, site_server: Served) -> Iterator[Visit]:
    with opened(browser, site_server) as seen:
        yield seen
