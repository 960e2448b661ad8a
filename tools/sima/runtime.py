"""The self-hosted Python runtime of the site: Pyodide from npm plus the lab as a wheel.

The site serves Pyodide from its own host (`assets/pyodide/`), copied from the npm
package pinned in `package-lock.json`. The lab is packed into a pure-Python wheel and
registered in a copy of Pyodide's `pyodide-lock.json` with pyodide-build's
`pyodide lockfile add-wheels`, which records the wheel's sha256: the browser loads it
with `pyodide.loadPackage("sima-lab")` and rejects a wheel that does not match.

The wheel's version carries a hash of the lab's sources (`0.1.0+<hash>`), so its URL
changes whenever the lab does and no browser can run a stale copy. Building takes a
few seconds, so the result is kept in a cache folder keyed by that hash; `mkdocs
serve` rebuilds reuse it.

Beside them goes a memory snapshot of Pyodide with the lab imported
(`snapshot-<sha256[:12]>.bin.gz`), written by `snapshot.mjs` in Node and gzipped here;
the worker restores it instead of starting Python. It rests on underscore APIs of the
pinned Pyodide, so it is optional: when Node is missing or the script fails the site
ships without one (`Runtime.snapshot_error` says why) and the worker starts Python the
plain way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Files of the npm `pyodide` package the browser needs (the lock is rewritten).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
LOCK_FILE = "pyodide-lock.json"
#: Where the runtime lives in the site.
SITE_DIR = "assets/pyodide"
LAB_PACKAGE = "sima_lab"
LAB_DISTRIBUTION = "sima-lab"
LAB_VERSION = "0.1.0"
SNAPSHOT_SCRIPT = Path(__file__).with_name("snapshot.mjs")
SNAPSHOT_PREFIX = "snapshot-"
SNAPSHOT_SUFFIX = ".bin.gz"
#: How long the Node script may take (it needs about 3 s).
SNAPSHOT_TIMEOUT = 120

_PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
description = "The SIMA lab: a serverless container simulator (standard library only)."
requires-python = ">=3.12"

[tool.setuptools]
packages = ["{package}"]
"""


class RuntimeError_(Exception):
    """The runtime cannot be prepared (npm package missing, wheel build failed)."""


@dataclass(frozen=True)
class Runtime:
    """The runtime files for the site, ready to copy.

    Attributes:
        files: Site path (under `assets/pyodide/`) to the file on disk.
        wheel: The lab wheel's file name, e.g. `sima_lab-0.1.0+1a2b3c4d-py3-none-any.whl`.
        pyodide_version: The npm package's version, for messages and cache keys.
        snapshot: The snapshot's file name (in `assets/pyodide/`), or None.
        snapshot_error: Why there is no snapshot, when there is none.
    """

    files: dict[str, Path]
    wheel: str
    pyodide_version: str
    snapshot: str | None = None
    snapshot_error: str | None = None


def lab_digest(lab_dir: Path) -> str:
    """A short hash of every Python file of the lab (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(lab_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(lab_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RuntimeError_(f"{what} failed: " + " / ".join(detail))


def build_lab_wheel(lab_dir: Path, out_dir: Path, version: str) -> Path:
    """Pack `lab_dir` (the `sima_lab` package) into a pure-Python wheel in `out_dir`."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(
            lab_dir, project / LAB_PACKAGE, ignore=shutil.ignore_patterns("__pycache__")
        )
        (project / "pyproject.toml").write_text(
            _PYPROJECT.format(name=LAB_DISTRIBUTION, version=version, package=LAB_PACKAGE),
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        command += ["--no-build-isolation", "--wheel-dir", str(out_dir), str(project)]
        _run(command, "building the lab wheel")
    wheels = sorted(out_dir.glob(f"{LAB_PACKAGE}-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError_(f"expected one lab wheel in {out_dir}, found {len(wheels)}")
    return wheels[0]


def add_to_lock(lock: Path, wheel: Path, out_lock: Path) -> None:
    """Write `out_lock`: Pyodide's lock plus the wheel, with its sha256 (pyodide-build)."""
    tool = Path(sys.executable).with_name("pyodide")
    command = [str(tool), "lockfile", "add-wheels", "--input", str(lock)]
    command += ["--output", str(out_lock), "--base-path", str(wheel.parent), str(wheel)]
    _run(command, "pyodide lockfile add-wheels")


def pyodide_version(pyodide_dir: Path) -> str:
    """The npm package's version (from its package.json)."""
    meta = json.loads((pyodide_dir / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def snapshot_name(data: bytes) -> str:
    """The snapshot's file name, carrying a hash of its (gzipped) bytes."""
    return f"{SNAPSHOT_PREFIX}{hashlib.sha256(data).hexdigest()[:12]}{SNAPSHOT_SUFFIX}"


def build_snapshot(pyodide_dir: Path, lock: Path, out_dir: Path, node: str = "node") -> Path:
    """Run `snapshot.mjs` and write its snapshot, gzipped, into `out_dir`.

    Raises:
        RuntimeError_: When Node is missing or the script fails.
    """
    node_path = shutil.which(node)
    if node_path is None:
        raise RuntimeError_(f"building the snapshot needs Node ({node!r} is not on PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "snapshot.bin"
        command = [node_path, str(SNAPSHOT_SCRIPT), str(pyodide_dir), str(lock), str(raw)]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=SNAPSHOT_TIMEOUT
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError_(f"building the snapshot failed: {exc}") from exc
        if result.returncode != 0 or not raw.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise RuntimeError_("building the snapshot failed: " + " / ".join(detail))
        # mtime=0: the same snapshot gives the same bytes, hence the same name.
        data = gzip.compress(raw.read_bytes(), compresslevel=9, mtime=0)
    path = out_dir / snapshot_name(data)
    path.write_bytes(data)
    return path


def _cached_snapshot(pyodide_dir: Path, built: Path, node: str) -> tuple[Path | None, str | None]:
    """The snapshot in `built`, building it when absent; (None, why) when it cannot.

    It is kept per version of `snapshot.mjs` too (what it imports is in the snapshot).
    """
    script = hashlib.sha256(SNAPSHOT_SCRIPT.read_bytes()).hexdigest()[:8]
    folder = built / f"snapshot-script-{script}"
    found = sorted(folder.glob(f"{SNAPSHOT_PREFIX}*{SNAPSHOT_SUFFIX}"))
    if found:
        return found[0], None
    staging = Path(tempfile.mkdtemp(prefix="snapshot-", dir=built.parent))
    try:
        made = build_snapshot(pyodide_dir, built / LOCK_FILE, staging, node)
        folder.mkdir(exist_ok=True)
        target = folder / made.name
        made.replace(target)  # atomic: a reader sees the whole file or none
        return target, None
    except (RuntimeError_, OSError) as exc:
        return None, str(exc)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare_runtime(
    pyodide_dir: Path,
    lab_dir: Path,
    cache_dir: Path,
    *,
    snapshot: bool = True,
    node: str = "node",
) -> Runtime:
    """Everything `assets/pyodide/` needs, building the wheel and lock when the lab changed.

    Args:
        pyodide_dir: `node_modules/pyodide`.
        lab_dir: The `sima_lab` package folder.
        cache_dir: A folder to keep built wheels and locks in, by lab hash.
        snapshot: Also build (or reuse) the memory snapshot; its failure is not an error.
        node: The Node executable for the snapshot script.

    Raises:
        RuntimeError_: When the npm package is missing or a build step fails.
    """
    missing = [n for n in (*RUNTIME_FILES, LOCK_FILE) if not (pyodide_dir / n).is_file()]
    if missing:
        raise RuntimeError_(
            f"{pyodide_dir} lacks {', '.join(missing)}: run `make setup` (npm ci) first"
        )
    version = pyodide_version(pyodide_dir)
    digest = lab_digest(lab_dir)
    built = cache_dir / f"pyodide-{version}-lab-{digest}"
    lock = built / LOCK_FILE
    if not lock.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="building-", dir=cache_dir))
        try:
            wheel = build_lab_wheel(lab_dir, staging, f"{LAB_VERSION}+{digest}")
            add_to_lock(pyodide_dir / LOCK_FILE, wheel, staging / LOCK_FILE)
            try:
                staging.rename(built)  # whole or not at all
            except OSError:
                if not lock.is_file():  # not another build finishing first: a real failure
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    [wheel] = sorted(built.glob("*.whl"))
    files = {f"{SITE_DIR}/{name}": pyodide_dir / name for name in RUNTIME_FILES}
    files[f"{SITE_DIR}/{LOCK_FILE}"] = lock
    files[f"{SITE_DIR}/{wheel.name}"] = wheel
    made, why = _cached_snapshot(pyodide_dir, built, node) if snapshot else (None, None)
    if made is not None:
        files[f"{SITE_DIR}/{made.name}"] = made
    return Runtime(
        files=files,
        wheel=wheel.name,
        pyodide_version=version,
        snapshot=made.name if made is not None else None,
        snapshot_error=why,
    )
