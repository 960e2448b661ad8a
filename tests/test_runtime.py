"""The runtime: files named by content and gzipped, a trimmed lock and standard library,
and a snapshot that is optional when Node cannot make it."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from sima.runtime import assemble as runtime
from sima.runtime.assemble import (
    LAB_DISTRIBUTION,
    LOCK_FILE,
    SITE_DIR,
    RuntimeError_,
    build_snapshot,
    hashed_name,
    lab_digest,
    module_names,
    prepare_runtime,
    pyodide_version,
    snapshot_name,
    top_level_names,
    trim_lock,
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

    def fake(
        pyodide_dir: Path, lock: Path, out_dir: Path, node: str = "node", **options: object
    ) -> Path:
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


def test_a_hashed_name_changes_with_the_content_only() -> None:
    name = hashed_name("pyodide.asm.wasm", b"wasm")
    assert name == f"pyodide.asm-{hashlib.sha256(b'wasm').hexdigest()[:12]}.wasm"
    assert hashed_name("pyodide.asm.wasm", b"wasm") == name
    assert hashed_name("pyodide.asm.wasm", b"other") != name


def test_the_lock_keeps_the_wanted_packages_and_what_they_depend_on() -> None:
    lock = {
        "info": {"python": "3.14.2"},
        "packages": {
            "a": {"depends": ["b"]},
            "b": {"depends": ["c"]},
            "c": {"depends": []},
            "numpy": {"depends": []},
        },
    }
    trimmed = trim_lock(lock, ["a"])
    assert trimmed == {
        "info": {"python": "3.14.2"},
        "packages": {"a": {"depends": ["b"]}, "b": {"depends": ["c"]}, "c": {"depends": []}},
    }
    with pytest.raises(RuntimeError_, match="no package 'x'"):
        trim_lock(lock, ["x"])


def test_module_and_top_level_names_of_a_standard_library_zip(tmp_path: Path) -> None:
    files = ["json/__init__.py", "json/decoder.py", "typing.py", "_pyodide/_base.py"]
    assert module_names([*files, "README.txt"]) == [
        "_pyodide._base",
        "json",
        "json.decoder",
        "typing",
    ]
    zipped = tmp_path / "stdlib.zip"
    with zipfile.ZipFile(zipped, "w") as out:
        for name in [*files, "_pyodide/__init__.py", "site-packages/README.txt", "json/"]:
            out.writestr(name, "")
    assert top_level_names(zipped) == ("_pyodide", "json", "typing")


def test_runtime_files_are_named_by_content_and_the_big_ones_gzipped(cache: Path) -> None:
    built = prepare_runtime(PYODIDE, LAB, cache, snapshot=False)
    names = built.names
    for role in ("module", "asm", "wasm", "stdlib_full"):
        assert names[role] in {p.removeprefix(f"{SITE_DIR}/") for p in built.files}
    for role in ("asm", "wasm"):
        packed = built.files[f"{SITE_DIR}/{names[role]}.gz"]
        plain = built.files[f"{SITE_DIR}/{names[role]}"]
        assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
        assert built.sizes[role] == packed.stat().st_size < plain.stat().st_size
    # Without snippets to run, Python starts with the whole standard library.
    assert names["stdlib"] == names["stdlib_full"] and built.stdlib_error
    assert list(built.lock["packages"]) == [LAB_DISTRIBUTION]
    shipped = json.loads(built.files[f"{SITE_DIR}/{LOCK_FILE}"].read_text(encoding="utf-8"))
    assert shipped == built.lock
    assert built.settings()["lock"] == built.lock


def test_the_standard_library_is_trimmed_to_what_the_claims_import(cache: Path) -> None:
    """A real run of stdlib.mjs in Node on one snippet folder."""
    from sima.proofs.prover import lab_payload

    payloads = {"LESS-22": lab_payload(ROOT / "snippets" / "LESS-22")}
    built = prepare_runtime(PYODIDE, LAB, cache, snapshot=False, payloads=payloads)
    if built.stdlib_error and "needs Node" in built.stdlib_error:
        pytest.skip(built.stdlib_error)
    assert built.stdlib_error is None, built.stdlib_error
    assert built.names["stdlib"] != built.names["stdlib_full"]
    trimmed = built.files[f"{SITE_DIR}/{built.names['stdlib']}"]
    whole = built.files[f"{SITE_DIR}/{built.names['stdlib_full']}"]
    with zipfile.ZipFile(trimmed) as small, zipfile.ZipFile(whole) as big:
        inside = set(small.namelist())
        # Bytecode in place of each module's source, a fraction of the whole library.
        assert "json/decoder.pyc" in inside and "json/decoder.py" not in inside
        assert "encodings/utf_8.pyc" in inside
        assert "difflib.pyc" not in inside and "difflib.py" in big.namelist()
        assert len(inside) < len(big.namelist()) / 2
    assert "json" in built.stdlib_names and "difflib" in built.stdlib_names
    again = prepare_runtime(PYODIDE, LAB, cache, snapshot=False, payloads=payloads, node="false")
    assert again.names == built.names  # kept in the cache: no Node needed the second time
