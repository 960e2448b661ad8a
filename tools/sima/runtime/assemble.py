"""The self-hosted Python runtime of the site: Pyodide from npm plus the lab as a wheel.

The site serves Pyodide from its own host (`assets/pyodide/`), copied from the npm
package pinned in `package-lock.json`. The lab is packed into a pure-Python wheel and
registered in a copy of Pyodide's `pyodide-lock.json` with pyodide-build's
`pyodide lockfile add-wheels`, which records the wheel's sha256: the browser loads it
with `pyodide.loadPackage("sima-lab")` and rejects a wheel that does not match. The
site's lock is trimmed to the lab's entry and what it depends on (nothing: the lab is
standard library only), about 500 bytes instead of 119 KB, and goes to the worker in
the page's settings rather than as a file to fetch.

Every runtime file carries a hash of its content in its name (`pyodide.asm-<hash>.wasm`),
so a new build never mixes with an old one in a cache (the service worker's, see
`sima.site.offline`), and the big ones have a gzipped copy beside them (`.gz`, made here,
deterministic): a static host that does not compress sends them compressed all the
same, and the worker gunzips them with `DecompressionStream`, streaming the wasm into
WebAssembly compilation. The uncompressed files stay for browsers without it.

The standard library is trimmed too: `stdlib.mjs` starts Pyodide in Node, imports the
lab and runs every snippet's claim, and lists the files of `python_stdlib.zip` that
were imported; those go into a smaller zip that Python starts with. The whole zip is
shipped as well and fetched the moment a reader's code imports a standard module the
trimmed one lacks (see the worker), so no import that works stops working. Without
Node the full zip is the one Python starts with.

The wheel's version carries a hash of the lab's sources (`0.1.0+<hash>`), so its URL
changes whenever the lab does and no browser can run a stale copy. Building takes a
few seconds, so the results are kept in a cache folder keyed by those hashes; `mkdocs
serve` rebuilds reuse them.

Beside them goes a memory snapshot of Pyodide with the lab and the modules the claims
use imported (`snapshot-<sha256[:12]>.bin.gz`), written by `snapshot.mjs` in Node with
the trimmed standard library and gzipped here; the worker may restore it instead of
starting Python. It rests on underscore APIs of the pinned Pyodide, so it is optional:
when Node is missing or the script fails the site ships without one
(`Runtime.snapshot_error` says why) and the worker starts Python the plain way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Files of the npm `pyodide` package the browser needs (the lock is rewritten).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
#: The role of each in the worker's settings.
ROLES = {
    "pyodide.mjs": "module",
    "pyodide.asm.mjs": "asm",
    "pyodide.asm.wasm": "wasm",
    "python_stdlib.zip": "stdlib_full",
}
#: Roles whose files also go gzipped (not the small loader module; not the whole
#: standard library, whose members are compressed already and which the worker
#: fetches synchronously, where it cannot gunzip).
GZIPPED = ("asm", "wasm", "stdlib")
LOCK_FILE = "pyodide-lock.json"
#: Where the runtime lives in the site.
SITE_DIR = "assets/pyodide"
LAB_PACKAGE = "sima_lab"
LAB_DISTRIBUTION = "sima-lab"
LAB_VERSION = "0.1.0"
SNAPSHOT_SCRIPT = Path(__file__).with_name("snapshot.mjs")
STDLIB_SCRIPT = Path(__file__).with_name("stdlib.mjs")
#: Where the probe's answer starts on its stdout.
STDLIB_MARKER = "SIMA-STDLIB "
#: How long the probe may take (about 7 s here: Pyodide, the lab and every claim).
STDLIB_TIMEOUT = 300
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
        names: Each role's file name in `assets/pyodide/` (content-hashed): `module`
            (pyodide.mjs), `asm`, `wasm`, `stdlib` (what Python starts with) and
            `stdlib_full` (the whole standard library; the same file when untrimmed).
        sizes: Each role's bytes over the network (its `.gz` where it has one).
        lock: The trimmed lock, for the worker's `lockFileContents`.
        stdlib_files: How many files the trimmed standard library has (0: untrimmed).
        stdlib_names: The top-level module names of the whole standard library zip,
            so that the worker fetches it only for a module it has (an optional
            import of a module Pyodide lacks, such as `pwd`, fetches nothing).
        stdlib_error: Why the standard library is not trimmed, when it is not.
        snapshot: The snapshot's file name (in `assets/pyodide/`), or None.
        snapshot_error: Why there is no snapshot, when there is none.
    """

    files: dict[str, Path]
    wheel: str
    pyodide_version: str
    names: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    lock: dict[str, Any] = field(default_factory=dict)
    stdlib_files: int = 0
    stdlib_names: tuple[str, ...] = ()
    stdlib_error: str | None = None
    snapshot: str | None = None
    snapshot_error: str | None = None

    def settings(self) -> dict[str, Any]:
        """What the worker needs to know, for the page's settings (`config.js`)."""
        return {
            "names": self.names,
            "gzipped": sorted(role for role in GZIPPED if role in self.names),
            "sizes": self.sizes,
            "lock": self.lock,
            "stdlib_names": list(self.stdlib_names),
        }


def lab_digest(lab_dir: Path) -> str:
    """A short hash of every Python file of the lab (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(lab_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(lab_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _failure(what: str, result: subprocess.CompletedProcess[str], lines: int = 3) -> RuntimeError_:
    """`<what> failed: ` and the last lines the command wrote."""
    detail = (result.stderr or result.stdout).strip().splitlines()[-lines:]
    return RuntimeError_(f"{what} failed: " + " / ".join(detail))


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise _failure(what, result, lines=5)


def _run_node(
    node: str, script: Path, args: list[str], *, needs: str, what: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run `script` with Node and `args`; the caller checks what it wrote.

    Raises:
        RuntimeError_: `<needs> needs Node` when Node is missing; `<what> failed` when
            it cannot start or runs out of time.
    """
    node_path = shutil.which(node)
    if node_path is None:
        raise RuntimeError_(f"{needs} needs Node ({node!r} is not on PATH)")
    command = [node_path, str(script), *args]
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError_(f"{what} failed: {exc}") from exc


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


def trim_lock(lock: Mapping[str, Any], wanted: Iterable[str]) -> dict[str, Any]:
    """`lock` with only the packages `wanted` and what they depend on, recursively.

    Raises:
        RuntimeError_: A wanted package, or one it depends on, is not in the lock.
    """
    packages: Mapping[str, Any] = lock.get("packages", {})
    kept: dict[str, Any] = {}
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        if name not in packages:
            raise RuntimeError_(f"the lock has no package {name!r}")
        kept[name] = packages[name]
        todo += list(packages[name].get("depends", []))
    return {
        **{k: v for k, v in lock.items() if k != "packages"},
        "packages": dict(sorted(kept.items())),
    }


def content_hash(data: bytes) -> str:
    """The 12 hex digits of sha256 that name a file by its content."""
    return hashlib.sha256(data).hexdigest()[:12]


def hashed_name(name: str, data: bytes) -> str:
    """`name` with its content's hash before the last suffix: `pyodide.asm-<hash>.wasm`."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{content_hash(data)}.{suffix}" if dot else f"{name}-{content_hash(data)}"


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no name, mtime 0): the same input gives the same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _write_atomically(path: Path, data: bytes) -> None:
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_bytes(data)
    staging.replace(path)  # a reader sees the whole file or none


def _compressed_copy(source: Path, folder: Path, name: str) -> Path:
    """`folder/<name>.gz`, made from `source` unless it is there already."""
    target = folder / f"{name}.gz"
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, gzip_bytes(source.read_bytes()))
    return target


def probe_stdlib(
    pyodide_dir: Path,
    lock: Path,
    payloads: Mapping[str, object],
    runs: list[dict[str, str]],
    *,
    out: Path,
    node: str = "node",
) -> list[str]:
    """The files of the standard library zip that the lab and the claims import, by
    `stdlib.mjs` in Node, which writes them into the zip `out` (as bytecode).

    Raises:
        RuntimeError_: When Node is missing or the script fails.
    """
    what = "listing the standard library's use"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "input.json"
        source.write_text(json.dumps({"payloads": payloads, "runs": runs}), encoding="utf-8")
        args = [str(pyodide_dir), str(lock), str(source), str(out)]
        result = _run_node(
            node,
            STDLIB_SCRIPT,
            args,
            needs="trimming the standard library",
            what=what,
            timeout=STDLIB_TIMEOUT,
        )
    lines = [line for line in result.stdout.splitlines() if line.startswith(STDLIB_MARKER)]
    if result.returncode != 0 or len(lines) != 1 or not out.is_file():
        raise _failure(what, result)
    files = json.loads(lines[0].removeprefix(STDLIB_MARKER))["files"]
    return [str(f) for f in files]


def pyodide_version(pyodide_dir: Path) -> str:
    """The npm package's version (from its package.json)."""
    meta = json.loads((pyodide_dir / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def snapshot_name(data: bytes) -> str:
    """The snapshot's file name, carrying a hash of its (gzipped) bytes."""
    return f"{SNAPSHOT_PREFIX}{hashlib.sha256(data).hexdigest()[:12]}{SNAPSHOT_SUFFIX}"


def build_snapshot(
    pyodide_dir: Path,
    lock: Path,
    out_dir: Path,
    node: str = "node",
    *,
    stdlib: Path | None = None,
    modules: Iterable[str] = (),
) -> Path:
    """Run `snapshot.mjs` and write its snapshot, gzipped, into `out_dir`.

    Args:
        pyodide_dir: `node_modules/pyodide`.
        lock: The lock with the lab wheel beside it.
        out_dir: Where the snapshot goes.
        node: The Node executable.
        stdlib: The standard library zip the site's Python starts with (the snapshot
            remembers its table of contents), by default the npm package's.
        modules: Standard modules to import before the snapshot is taken (dotted
            names), besides the script's own list.

    Raises:
        RuntimeError_: When Node is missing or the script fails.
    """
    what = "building the snapshot"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "snapshot.bin"
        listed = Path(tmp) / "modules.json"
        listed.write_text(json.dumps(sorted(set(modules))), encoding="utf-8")
        args = [str(pyodide_dir), str(lock), str(raw)]
        args += [str(stdlib or pyodide_dir / "python_stdlib.zip"), str(listed)]
        result = _run_node(
            node, SNAPSHOT_SCRIPT, args, needs=what, what=what, timeout=SNAPSHOT_TIMEOUT
        )
        if result.returncode != 0 or not raw.is_file():
            raise _failure(what, result)
        # mtime=0: the same snapshot gives the same bytes, hence the same name.
        data = gzip_bytes(raw.read_bytes())
    path = out_dir / snapshot_name(data)
    path.write_bytes(data)
    return path


def _cached_snapshot(
    pyodide_dir: Path, built: Path, node: str, stdlib: Path, modules: list[str]
) -> tuple[Path | None, str | None]:
    """The snapshot in `built`, building it when absent; (None, why) when it cannot.

    It is kept per version of `snapshot.mjs`, standard library zip and module list
    too (what it imports, and the zip's table of contents, are in the snapshot).
    """
    key = hashlib.sha256(SNAPSHOT_SCRIPT.read_bytes())
    key.update(hashlib.sha256(stdlib.read_bytes()).digest() + "\n".join(modules).encode())
    folder = built / f"snapshot-script-{key.hexdigest()[:8]}"
    found = sorted(folder.glob(f"{SNAPSHOT_PREFIX}*{SNAPSHOT_SUFFIX}"))
    if found:
        return found[0], None
    staging = Path(tempfile.mkdtemp(prefix="snapshot-", dir=built.parent))
    try:
        made = build_snapshot(
            pyodide_dir, built / LOCK_FILE, staging, node, stdlib=stdlib, modules=modules
        )
        folder.mkdir(exist_ok=True)
        target = folder / made.name
        made.replace(target)  # atomic: a reader sees the whole file or none
        return target, None
    except (RuntimeError_, OSError) as exc:
        return None, str(exc)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def top_level_names(zipped: Path) -> tuple[str, ...]:
    """The importable top-level names of a standard library zip (modules, packages)."""
    with zipfile.ZipFile(zipped) as source:
        names = {
            name.split("/", 1)[0].removesuffix(".py")
            for name in source.namelist()
            if name.endswith(".py") and (name.count("/") == 0 or name.endswith("/__init__.py"))
        }
    return tuple(sorted(n for n in names if n.isidentifier()))


def module_names(files: Iterable[str]) -> list[str]:
    """Dotted module names of zip members: `json/decoder.py` -> `json.decoder`."""
    names = []
    for path in files:
        if not path.endswith(".py"):
            continue
        dotted = path.removesuffix(".py").replace("/", ".")
        names.append(dotted.removesuffix(".__init__"))
    return sorted(set(names))


def _stdlib(
    pyodide_dir: Path,
    built: Path,
    payloads: Mapping[str, object] | None,
    node: str,
) -> tuple[Path | None, list[str], str | None]:
    """The trimmed standard library zip and the files in it, built (by the probe)
    when absent; (None, [], why) when it cannot be."""
    if payloads is None:
        return None, [], "no snippets were given to find out what they import"
    runs = []
    for key, payload in sorted(payloads.items()):
        claims = payload.get("claims", "") if isinstance(payload, dict) else ""
        runs += [
            {"id": f"{key}/{name}", "payload": key, "name": name} for name in _proven(str(claims))
        ]
    digest = hashlib.sha256(STDLIB_SCRIPT.read_bytes())
    digest.update(json.dumps(payloads, sort_keys=True).encode())
    folder = built / f"stdlib-{digest.hexdigest()[:12]}"
    listing = folder / "files.json"
    if listing.is_file():
        files = [str(f) for f in json.loads(listing.read_text(encoding="utf-8"))]
    else:
        folder.mkdir(parents=True, exist_ok=True)
        zipped = folder / "python_stdlib.zip"
        try:
            files = probe_stdlib(
                pyodide_dir, built / LOCK_FILE, payloads, runs, out=zipped, node=node
            )
        except RuntimeError_ as exc:
            return None, [], str(exc)
        _write_atomically(listing, json.dumps(files).encode())  # last: the zip is whole
    return folder / "python_stdlib.zip", files, None


def _proven(claims: str) -> list[str]:
    """Names of the snippets `claims.toml` gives a good or bad claim (unproven ones
    have no scenario to run)."""
    try:
        tables = tomllib.loads(claims)
    except tomllib.TOMLDecodeError:
        return []
    return [
        name
        for name, table in tables.items()
        if isinstance(table, dict) and table.get("claim") in ("good", "bad")
    ]


def prepare_runtime(
    pyodide_dir: Path,
    lab_dir: Path,
    cache_dir: Path,
    *,
    snapshot: bool = True,
    node: str = "node",
    payloads: Mapping[str, object] | None = None,
) -> Runtime:
    """Everything `assets/pyodide/` needs, building the wheel and lock when the lab changed.

    Args:
        pyodide_dir: `node_modules/pyodide`.
        lab_dir: The `sima_lab` package folder.
        cache_dir: A folder to keep built wheels and locks in, by lab hash.
        snapshot: Also build (or reuse) the memory snapshot; its failure is not an error.
        node: The Node executable for the snapshot and the standard library probe.
        payloads: Every snippet folder's lab payload, by REF-ID (what the page runs):
            the standard library is trimmed to what they import. None: not trimmed.

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
    trimmed = trim_lock(json.loads(lock.read_text(encoding="utf-8")), [LAB_DISTRIBUTION])
    trimmed_file = built / "pyodide-lock-trimmed.json"
    if not trimmed_file.is_file():
        _write_atomically(trimmed_file, json.dumps(trimmed, indent=1).encode())

    files: dict[str, Path] = {}
    names: dict[str, str] = {}
    sizes: dict[str, int] = {}
    core = cache_dir / f"pyodide-{version}-gz"

    def add(role: str, source: Path, name: str) -> None:
        data = source.read_bytes()
        site_name = hashed_name(name, data)
        names[role] = site_name
        files[f"{SITE_DIR}/{site_name}"] = source
        sizes[role] = len(data)
        if role in GZIPPED:
            folder = core if source.parent == pyodide_dir else source.parent
            packed = _compressed_copy(source, folder, site_name)
            files[f"{SITE_DIR}/{site_name}.gz"] = packed
            sizes[role] = packed.stat().st_size

    for name, role in ROLES.items():
        add(role, pyodide_dir / name, name)
    stdlib, stdlib_files, stdlib_error = _stdlib(pyodide_dir, built, payloads, node)
    if stdlib is not None:
        add("stdlib", stdlib, "python_stdlib.zip")
    else:
        names["stdlib"], sizes["stdlib"] = names["stdlib_full"], sizes["stdlib_full"]
    files[f"{SITE_DIR}/{LOCK_FILE}"] = trimmed_file
    files[f"{SITE_DIR}/{wheel.name}"] = wheel
    sizes["wheel"] = wheel.stat().st_size
    made, why = (
        _cached_snapshot(
            pyodide_dir,
            built,
            node,
            stdlib or pyodide_dir / "python_stdlib.zip",
            module_names(stdlib_files),
        )
        if snapshot
        else (None, None)
    )
    if made is not None:
        files[f"{SITE_DIR}/{made.name}"] = made
        sizes["snapshot"] = made.stat().st_size
    return Runtime(
        files=files,
        wheel=wheel.name,
        pyodide_version=version,
        names=names,
        sizes=sizes,
        lock=trimmed,
        stdlib_files=len(stdlib_files),
        stdlib_names=top_level_names(pyodide_dir / "python_stdlib.zip") if stdlib else (),
        stdlib_error=stdlib_error,
        snapshot=made.name if made is not None else None,
        snapshot_error=why,
    )
