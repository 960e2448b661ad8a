"""The worker restores Python from the build's memory snapshot, falls back to the plain
load when it cannot, and every run still gets a fresh lab."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Route

from browser.conftest import Visit
from browser.test_runner import LESS22, run

SNAPSHOT = re.compile(r".*/assets/pyodide/snapshot-[0-9a-f]{12}\.bin\.gz$")
SNIPPET = "mistake1_request_scoped"
#: Prepended to a snippet: prints what an earlier run left in the `lab` module and in
#: the snippet's own module, then leaves something in both.
LEAK = (
    "import lab as _sima_lab\n"
    "print('leak:', getattr(_sima_lab, '_sima_leak', None), globals().get('_sima_mine'))\n"
    "_sima_lab._sima_leak = 'left by an earlier run'\n"
    "_sima_mine = 'left by an earlier run'\n"
)


def requested(visit: Visit, pattern: str) -> list[str]:
    return [u for u in visit.requests if re.search(pattern, u)]


@pytest.fixture
def page22(visit: Visit) -> Iterator[tuple[Visit, list[str]]]:
    """A fresh LESS-22 page and the console messages of the page and its worker, set
    to restore the snapshot (the page chooses by the connection otherwise, see
    test_offline)."""
    messages: list[str] = []

    def record(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    visit.page.context.on("console", record)
    visit.page.context.add_init_script("window.SIMA_SNAPSHOT = 'always';")
    visit.goto("entries/LESS-22/")
    visit.page.wait_for_load_state("networkidle")
    yield visit, messages


def test_the_first_run_restores_from_the_snapshot(page22: tuple[Visit, list[str]]) -> None:
    visit, messages = page22
    result = run(visit, SNIPPET)
    assert (result["state"], result["observed"]) == ("ok", "good")
    assert len([u for u in visit.requests if SNAPSHOT.match(u)]) == 1
    # The lab comes from the snapshot: its wheel is not fetched. (Pyodide 314 still
    # fetches the standard library zip on a restore: the snapshot holds memory, not
    # files.)
    assert requested(visit, r"/sima_lab-[^/]*\.whl$") == []
    assert any("from the snapshot" in m for m in messages), messages
    assert not any("falling back" in m for m in messages), messages


def test_a_missing_snapshot_falls_back_to_the_plain_load(
    page22: tuple[Visit, list[str]],
) -> None:
    visit, messages = page22

    def missing(route: Route) -> None:
        route.fulfill(status=404, body="not found")

    visit.page.context.route(SNAPSHOT, missing)
    result = run(visit, SNIPPET)
    assert (result["state"], result["observed"]) == ("ok", "good")
    assert requested(visit, r"/python_stdlib-[0-9a-f]{12}\.zip\.gz$")
    assert requested(visit, r"/sima_lab-[^/]*\.whl$")
    warnings = [m for m in messages if m.startswith("warning:") and "falling back" in m]
    assert warnings and "HTTP 404" in warnings[0], messages


def test_a_snapshot_that_does_not_restore_falls_back(page22: tuple[Visit, list[str]]) -> None:
    """Bytes Pyodide refuses (not a snapshot of this build) mean a plain load too."""
    visit, messages = page22

    def garbage(route: Route) -> None:
        route.fulfill(status=200, body=gzip.compress(b"\0" * 4096))

    visit.page.context.route(SNAPSHOT, garbage)
    result = run(visit, SNIPPET)
    assert (result["state"], result["observed"]) == ("ok", "good")
    warnings = [m for m in messages if m.startswith("warning:") and "falling back" in m]
    assert warnings and "magic number" in warnings[0], messages


def test_no_state_crosses_runs_after_a_restore(page22: tuple[Visit, list[str]]) -> None:
    visit, _ = page22
    own = (LESS22 / f"{SNIPPET}.py").read_text(encoding="utf-8")
    other = "mistake1_user_sessions"
    other_code = (LESS22 / f"{other}.py").read_text(encoding="utf-8")
    results = [
        run(visit, SNIPPET, LEAK + own),
        run(visit, SNIPPET, LEAK + own),
        run(visit, other, LEAK + other_code),
    ]
    assert requested(visit, r"/sima_lab-[^/]*\.whl$") == []  # restored, not plain
    for result in results:
        assert result["state"] == "ok", result
        output = str(result["output"])
        assert "leak: None None" in output, output
        assert "left by an earlier run" not in output, output
    assert [r["observed"] for r in results] == ["good", "good", "bad"]
