"""The runtime's snapshot: named by its content, optional when Node cannot make it."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from sima import runtime
from sima.runtime import (
    LOCK_FILE,
    SITE_DIR,
    RuntimeError_,
    build_snapshot,
    lab_digest,
    prepare_runtime,
    pyodide_version,
    snapshot_name,
)

PYODIDE = ROOT / "node_modules" / "pyodide"
LAB = ROOT / "tools" / "sima_lab"


def test_snapshot_name_carries_the_content_hash() -> None:
    data = gzip.compress(b"memory", mtime=0)
    name = snapshot_name(data)
    assert name == f"snapshot-{hashlib.sha256(data).hexdigest()[:12]}.bin.gz"
    assert snapshot_name(data + b"x") != name


def test_a_missing_node_is_an_error_of_build_snapshot(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError_, match="needs Node"):
        build_snapshot(PYODIDE, tmp_path / LOCK_FILE, tmp_path, node="no-such-node-here")


def test_a_failing_node_is_an_error_of_build_snapshot(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError_, match="building the snapshot failed"):
        build_snapshot(PYODIDE, tmp_path / LOCK_FILE, tmp_path, node="false")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache folder holding this lab's wheel and lock, without a snapshot.

    Copied from the project's own cache when a build made it (no wheel to rebuild),
    else built by prepare_runtime without the snapshot.
    """
    if not (PYODIDE / LOCK_FILE).is_file():
        pytest.skip("node_modules/pyodide is missing: run `make setup`")
    name = f"pyodide-{pyodide_version(PYODIDE)}-lab-{lab_digest(LAB)}"
    cached = ROOT / ".cache" / "sima" / name
    target = tmp_path / "cache"
    if (cached / LOCK_FILE).is_file():
        shutil.copytree(cached, target / name, ignore=shutil.ignore_patterns("snapshot-script-*"))
    else:
        prepare_runtime(PYODIDE, LAB, target, snapshot=False)
    return target


@pytest.mark.parametrize("node", ["no-such-node-here", "false"])
def test_without_a_working_node_the_runtime_ships_without_a_snapshot(
    cache: Path, node: str
) -> None:
    built = prepare_runtime(PYODIDE, LAB, cache, node=node)
    assert built.snapshot is None
    assert built.snapshot_error and "snapshot" in built.snapshot_error
    assert f"{SITE_DIR}/{LOCK_FILE}" in built.files
    assert not [p for p in built.files if "snapshot-" in p]
    assert not list(cache.rglob("*.bin.gz"))


def test_a_cached_snapshot_is_reused_and_shipped(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def fake(pyodide_dir: Path, lock: Path, out_dir: Path, node: str = "node") -> Path:
        calls.append(node)
        data = gzip.compress(b"memory", mtime=0)
        path = out_dir / snapshot_name(data)
        path.write_bytes(data)
        return path

    monkeypatch.setattr(runtime, "build_snapshot", fake)
    first = prepare_runtime(PYODIDE, LAB, cache)
    second = prepare_runtime(PYODIDE, LAB, cache)
    assert calls == ["node"]
    assert first.snapshot == second.snapshot == snapshot_name(gzip.compress(b"memory", mtime=0))
    assert first.snapshot_error is None
    assert first.files[f"{SITE_DIR}/{first.snapshot}"].read_bytes().startswith(b"\x1f\x8b")
