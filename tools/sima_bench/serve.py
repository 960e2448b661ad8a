"""`mkdocs serve` after editing one entry of a synthetic knowledge base.

One generation gives the plugin's project and the plain mkdocs-material one (see
[`sima_bench.synth`][sima_bench.synth]). Each runs under `mkdocs serve` as an author
would run it; once the first build is served, one entry is edited several times (a
new sentence appended), and each sample is the time from writing the file to the
first response of that page that contains the sentence: change detection, rebuild
and serving, as the author waits for it. The two servers run one after the other,
both with `--dirty` (only what changed is rebuilt), as `make serve` runs. Then the
same for this repository's own site (a copy of it), editing LESS-22.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sima_bench.common import Figure, arguments, record
from sima_bench.synth import generate

#: Longest wait for a build (the first one included) before the benchmark gives up.
PATIENCE_S = 900.0
POLL_S = 0.05


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body: bytes = response.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def _wait_for(url: str, text: str, process: subprocess.Popen[bytes]) -> float:
    """Seconds until `url` serves a page containing `text`."""
    start = time.perf_counter()
    while time.perf_counter() - start < PATIENCE_S:
        if process.poll() is not None:
            raise SystemExit(f"mkdocs serve exited with status {process.returncode}")
        body = _fetch(url)
        if body is not None and text in body:
            return time.perf_counter() - start
        time.sleep(POLL_S)
    raise SystemExit(f"{url} did not show {text!r} within {PATIENCE_S:.0f} s")


def rebuilds(project: Path, page: Path, url_path: str, edits: int) -> tuple[float, list[float]]:
    """Serve `project`; return the first build's time and one time per edit of `page`."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SIMA_SITE_URL": base}
    address = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-q", "-a", address]
    process = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        original = page.read_text(encoding="utf-8")
        first = _wait_for(base + url_path, "</html>", process)
        times = []
        for n in range(edits):
            marker = f"Edited for the benchmark, round {n}."
            page.write_text(f"{original}\n{marker}\n", encoding="utf-8")
            times.append(_wait_for(base + url_path, marker, process))
        return first, times
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(size: int, edits: int, node_modules: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        made = generate(Path(tmp), size, node_modules=node_modules)
        ref_id = sorted(p.stem for p in (made.kb / "entries").glob("*.md"))[size // 2]
        url_path = f"entries/{ref_id}/"
        kb_first, kb = rebuilds(made.kb, made.kb / "entries" / f"{ref_id}.md", url_path, edits)
        plain_page = made.plain / "docs" / "entries" / f"{ref_id}.md"
        plain_first, plain = rebuilds(made.plain, plain_page, url_path, edits)
    with_plugin, baseline = Figure.of(kb), Figure.of(plain)
    return {
        "unit": "seconds from saving one entry to the served page showing the change",
        "entries": size,
        "edited": ref_id,
        "plugin_s": with_plugin,
        "plain_s": baseline,
        "ratio": round(with_plugin.ratio_to(baseline), 2),
        "first_build_s": {"plugin": round(kb_first, 2), "plain": round(plain_first, 2)},
    }


#: What of this repository its own site is built from (the rest is left out of the copy).
SITE_SOURCES = ("mkdocs.yml", "docs", "entries", "snippets", "bench", "tools", "README.md")
#: Shared with the copy, not copied: the npm packages and the runtime's build cache.
SITE_SHARED = ("node_modules", ".cache")


def measure_site(root: Path, edits: int, ref_id: str = "LESS-22") -> dict[str, Any]:
    """This repository's own site under `mkdocs serve --dirty`: a copy of its sources
    (the npm packages and the runtime's cache shared), `ref_id` edited `edits` times."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "site"
        copy.mkdir()
        for name in SITE_SOURCES:
            source = root / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "tmp")
                shutil.copytree(source, copy / name, ignore=ignore)
            else:
                shutil.copy2(source, copy / name)
        for name in SITE_SHARED:
            if (root / name).exists():
                (copy / name).symlink_to((root / name).resolve())
        (page,) = (copy / "entries").rglob(f"{ref_id}.md")
        first, times = rebuilds(copy, page, f"entries/{ref_id}/", edits)
    return {
        "entries": sum(1 for _ in (root / "entries").rglob("*.md")),
        "edited": ref_id,
        "seconds": Figure.of(times),
        "first_build_s": round(first, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, runs=3)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args(argv)
    data = measure(args.size, args.runs, (args.root / "node_modules").resolve())
    data["this_site"] = measure_site(args.root, args.runs)
    kb, plain, own = data["plugin_s"], data["plain_s"], data["this_site"]["seconds"]
    summary = (
        f"edit one of {args.size} entries, mkdocs serve: plugin {kb.median:.2f} s "
        f"(min {kb.min:.2f}, max {kb.max:.2f}), plain {plain.median:.2f} s "
        f"(min {plain.min:.2f}, max {plain.max:.2f}), ratio {data['ratio']}; "
        f"this site (LESS-22): {own.median:.2f} s (min {own.min:.2f}, max {own.max:.2f})"
    )
    return record("serve", data, args.runs, args.root, summary)


if __name__ == "__main__":
    raise SystemExit(main())
