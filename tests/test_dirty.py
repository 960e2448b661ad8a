"""`mkdocs serve --dirty`: an edit rebuilds the pages it changed, and only those.

Each scenario runs in its own Python process, which builds the project the way
`mkdocs serve --dirty` does (the plugin told so at startup, a fresh config per
rebuild, the same plugin instance), applies one edit per step and reports which
outputs were written again (by their modification times) and what they say.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from mkdocs.livereload import LiveReloadServer

from conftest import Project, entry_text
from sima.site.dirty import POLL_INTERVAL_S, poll_sooner

DRIVER = textwrap.dedent(
    """
    import json, os, sys, tempfile
    from pathlib import Path
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    steps = json.loads(sys.argv[1])
    site = Path(tempfile.mkdtemp())

    def rebuild(first=False):
        config = load_config("mkdocs.yml", site_dir=str(site))
        if first:
            config.plugins.on_startup(command="serve", dirty=True)
        build(config, serve_url=config.site_url, dirty=True)

    def outputs():
        return {
            p.relative_to(site).as_posix(): [p.stat().st_mtime_ns, p.read_text("utf-8")]
            for p in site.rglob("index.html")
        }

    rebuild(first=True)
    report = []
    for writes in steps:
        before = outputs()
        for path, text in writes.items():
            Path(path).write_text(text, encoding="utf-8")
        rebuild()
        after = outputs()
        report.append({
            "rewritten": sorted(p for p in after if before.get(p, [0])[0] != after[p][0]),
            "unchanged": sorted(p for p in after if p in before and before[p][0] == after[p][0]),
            "pages": {p: text for p, (_, text) in after.items()},
        })
    print(json.dumps(report))
    """
)


def serve_edits(project: Project, *steps: dict[str, str]) -> list[dict[str, object]]:
    """Build `project` as `mkdocs serve --dirty` does, then apply each step's writes
    (path -> text) and rebuild: what each rebuild rewrote, left alone, and shows."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    ran = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(steps)],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr
    report: list[dict[str, object]] = json.loads(ran.stdout.strip().splitlines()[-1])
    return report


def three_entries(project: Project) -> None:
    project.entry("LESS-01", "One", "The first lesson.")
    project.entry("LESS-02", "Two", "The second lesson.")
    project.entry("LESS-03", "Three", "Builds on LESS-02.")
    project.write("docs/index.md", "# Home\n\nStart with LESS-01.\n")


def entry_page(report: dict[str, object], ref_id: str) -> str:
    pages = report["pages"]
    assert isinstance(pages, dict)
    text: str = pages[f"entries/{ref_id}/index.html"]
    return text


def test_an_edit_rebuilds_only_the_edited_entry(project: Project) -> None:
    three_entries(project)
    edited = entry_text("LESS-01", "One", "The first lesson, edited once.")
    (step,) = serve_edits(project, {"entries/LESS-01.md": edited})
    assert "edited once" in entry_page(step, "LESS-01")
    assert step["rewritten"] == ["entries/LESS-01/index.html"]
    unchanged = step["unchanged"]
    assert isinstance(unchanged, list)
    assert {"index.html", "entries/LESS-02/index.html", "entries/LESS-03/index.html"} <= set(
        unchanged
    )


def test_a_new_reference_rebuilds_the_page_it_points_to(project: Project) -> None:
    three_entries(project)
    edited = entry_text("LESS-01", "One", "The first lesson; see LESS-02.")
    (step,) = serve_edits(project, {"entries/LESS-01.md": edited})
    rewritten = step["rewritten"]
    assert isinstance(rewritten, list)
    assert {"entries/LESS-01/index.html", "entries/LESS-02/index.html"} <= set(rewritten)
    assert "entries/LESS-03/index.html" not in rewritten
    # LESS-02 now shows that LESS-01 refers to it.
    backlinks = entry_page(step, "LESS-02").split("LESS-02", 2)[-1]
    assert "LESS-01" in backlinks


def test_a_new_title_rebuilds_every_page(project: Project) -> None:
    """A title is in every page's nav: nothing is kept, the hand-written pages neither."""
    three_entries(project)
    retitled = entry_text("LESS-03", "Three, renamed", "Builds on LESS-02.")
    again = entry_text("LESS-02", "Two", "The second lesson, edited.")
    renamed, after = serve_edits(
        project, {"entries/LESS-03.md": retitled}, {"entries/LESS-02.md": again}
    )
    unchanged = renamed["unchanged"]
    assert isinstance(unchanged, list)
    assert not [p for p in unchanged if p == "index.html" or p.startswith("entries/")]
    assert "Three, renamed" in entry_page(renamed, "LESS-01")  # (its nav)
    # And the next edit keeps what it can again.
    assert after["rewritten"] == ["entries/LESS-02/index.html"]


def test_unchanged_pages_are_read_from_the_last_build(project: Project) -> None:
    """What a kept page shows is what it showed: MkDocs did not write it empty."""
    three_entries(project)
    (first, second) = serve_edits(
        project,
        {"entries/LESS-01.md": entry_text("LESS-01", "One", "Edit one.")},
        {"entries/LESS-01.md": entry_text("LESS-01", "One", "Edit two.")},
    )
    assert "Builds on" in entry_page(second, "LESS-03")
    assert entry_page(first, "LESS-03") == entry_page(second, "LESS-03")
    assert "Edit two." in entry_page(second, "LESS-01")


def test_serve_sees_an_edit_through_the_sooner_watcher(tmp_path: Path) -> None:
    """After poll_sooner, the server's watcher still watches what it watched, polls
    every 0.2 s, and an edit under a watched folder asks the server for a rebuild."""
    watched = tmp_path / "entries"
    watched.mkdir()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(watched))
    assert poll_sooner(server)
    assert server.observer.timeout == POLL_INTERVAL_S
    server.observer.start()
    try:
        time.sleep(2 * POLL_INTERVAL_S)  # the first snapshot of the folder
        (watched / "LESS-1.md").write_text("edited\n", encoding="utf-8")
        with server._rebuild_cond:
            assert server._rebuild_cond.wait_for(lambda: server._want_rebuild, timeout=10)
    finally:
        server.observer.stop()
        server.observer.join()
        server.server_close()


def test_another_server_keeps_its_own_watcher() -> None:
    class Elsewhere:
        observer = None

    assert not poll_sooner(Elsewhere())
