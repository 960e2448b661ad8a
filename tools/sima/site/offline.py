"""The site's service worker: a cache the site controls, written after the build.

A static host's cache headers are not the site's to choose: with `Cache-Control:
no-cache` every file is revalidated on every visit and nothing loads offline. So the
build writes `sw.js` at the site's root (the only place whose scope is the whole
site), the script `sw.js` beside this module behind its manifest:

- `version`: a hash of every file of the build, which names its cache
  (`sima-<version>`): a new deploy is a new worker with a new cache;
- `immutable`: the files whose names carry their content's hash (the runtime, the
  snapshot, Material's bundles) and the runtime's files: served from the cache first;
- `gzipped`: the files the build also wrote gzipped (`<file>.gz`, made here for the
  site's text files, and by [`sima.runtime.assemble`][sima.runtime.assemble] for the
  runtime), which the worker fetches compressed and gunzips, so that a host that does
  not compress sends them compressed all the same.

The page registers it (`frontend/offline.mjs`, in `run.js`); `mkdocs serve` writes none.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

SCRIPT = Path(__file__).with_name("sw.js")
#: The service worker's file in the site.
SW_FILE = "sw.js"
#: Text files worth a gzipped copy (the runtime's big files have theirs already).
TEXT_SUFFIXES = frozenset({".html", ".js", ".mjs", ".css", ".json", ".svg", ".xml", ".txt"})
#: Smaller files gain little, and cost a file each.
MIN_BYTES = 4096
#: A hash in a file's name, as the build (`-<12 hex>.`) and Material (`.<8 hex>.min.`)
#: write them.
HASHED = re.compile(r"-[0-9a-f]{12}\.|\.[0-9a-f]{8}\.min\.")


def gzip_text_files(site: Path) -> list[str]:
    """Write `<file>.gz` beside every text file of `site` where it is worth it (and
    the copy is not there and current already); return the site paths that have one."""
    zipped = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.name == SW_FILE:
            continue
        copy = path.with_name(path.name + ".gz")
        if path.suffix == ".gz":
            continue
        if path.suffix not in TEXT_SUFFIXES or path.stat().st_size < MIN_BYTES:
            if copy.is_file():
                zipped.append(path.relative_to(site).as_posix())
            continue
        data = path.read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) > len(data) * 0.8:
            continue
        if not copy.is_file() or copy.read_bytes() != packed:
            copy.write_bytes(packed)
        zipped.append(path.relative_to(site).as_posix())
    return zipped


def build_version(site: Path) -> str:
    """A hash of every file of the built site (names and bytes), but the worker's own."""
    digest = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.name != SW_FILE:
            digest.update(path.relative_to(site).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def manifest(site: Path, runtime: Iterable[str], gzipped: Iterable[str]) -> dict[str, object]:
    """The worker's manifest for the built `site`.

    Args:
        site: The site folder, built.
        runtime: Site paths of the runtime's files (cache first, though not all of
            them carry a hash: the lab wheel's version does).
        gzipped: Site paths that have a `.gz` copy.
    """
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    immutable = {f for f in files if HASHED.search(f.rsplit("/", 1)[-1])} | set(runtime)
    return {
        "version": build_version(site),
        "immutable": sorted(immutable),
        "gzipped": sorted(set(gzipped)),
    }


def write_service_worker(site: Path, runtime: Iterable[str]) -> Path:
    """Gzip the site's text files and write `sw.js` with its manifest at the root."""
    gzipped = gzip_text_files(site)
    data = manifest(site, runtime, gzipped)
    text = f"self.SIMA_SW = {json.dumps(data)};\n" + SCRIPT.read_text(encoding="utf-8")
    target = site / SW_FILE
    target.write_text(text, encoding="utf-8")
    return target
