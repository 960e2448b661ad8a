// Writes a Pyodide memory snapshot with the lab and the standard modules snippets use
// already imported, for the site's worker to restore instead of starting Python.
//
// Usage: node snapshot.mjs <pyodide-dir> <pyodide-lock.json> <out.bin> [<stdlib.zip> [<modules.json>]]
//
// <pyodide-dir> is node_modules/pyodide; <pyodide-lock.json> is the lock built by
// tools/sima/runtime/assemble.py, with the lab wheel beside it; <stdlib.zip> the standard
// library the site's Python starts with (the trimmed one: the snapshot keeps its table
// of contents, so the page must start with the same file); <modules.json> a list of
// standard modules to import as well (those the claims use). Output: the raw snapshot
// in <out.bin> and one line on stdout, `SIMA-SNAPSHOT <json>` ({"pyodide", "bytes"}).
//
// This uses underscore (private) APIs of the pinned Pyodide (314.0.7):
// loadPyodide({_makeSnapshot: true}) and pyodide.makeMemorySnapshot(). Two limits of
// that version shape this script:
// - makeMemorySnapshot refuses a state where pyodide.loadPackage was used (it checks
//   that loadedPackages is still empty), so the wheel is unpacked with unpackArchive;
// - the snapshot holds the WebAssembly memory only, not the (JavaScript) file system:
//   after a restore site-packages is empty, so every lab module is imported here, and
//   the standard library zip is fetched again by Pyodide on every start.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const MARKER = "SIMA-SNAPSHOT ";
const PACKAGE = "sima-lab";
// Standard modules snippets and the lab import (imported once here, they cost nothing
// after a restore). A module not listed still imports from python_stdlib.zip.
const STDLIB = [
  "ast", "collections", "collections.abc", "contextlib", "dataclasses", "errno",
  "functools", "importlib", "importlib.abc", "importlib.machinery", "itertools",
  "json", "math", "os", "posixpath", "random", "re", "statistics", "threading",
  "time", "timeit", "tomllib", "traceback", "types", "typing",
];

console.log = console.error;
console.info = console.error;

async function main() {
  const [pyodideArg, lockArg, outArg, stdlibArg, modulesArg] = process.argv.slice(2);
  if (!pyodideArg || !lockArg || !outArg) {
    throw new Error("usage: node snapshot.mjs <pyodide-dir> <pyodide-lock.json> <out.bin>");
  }
  const pyodideDir = resolve(pyodideArg);
  const lockPath = resolve(lockArg);
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
  const modules = modulesArg ? JSON.parse(readFileSync(modulesArg, "utf8")) : [];
  const pyodide = await loadPyodide({
    indexURL: pyodideDir + "/",
    lockFileURL: lockPath,
    ...(stdlibArg ? { stdLibURL: resolve(stdlibArg) } : {}),
    _makeSnapshot: true,
    stdout: (line) => process.stderr.write(`[pyodide stdout] ${line}\n`),
    stderr: (line) => process.stderr.write(`[pyodide stderr] ${line}\n`),
  });
  const lock = JSON.parse(readFileSync(lockPath, "utf8"));
  const entry = lock.packages && lock.packages[PACKAGE];
  if (!entry) throw new Error(`${lockPath} has no package "${PACKAGE}"`);
  // A Node Buffer is not a typed array Pyodide's unpackArchive accepts.
  const wheel = new Uint8Array(readFileSync(join(dirname(lockPath), entry.file_name)));
  pyodide.unpackArchive(wheel, "wheel");
  // (No pkgutil to walk the lab: the trimmed standard library lacks it.)
  pyodide.runPython(
    [
      "import importlib, pathlib",
      `for name in ${JSON.stringify([...STDLIB, ...modules])}:`,
      "    try:",
      "        importlib.import_module(name)",
      "    except ImportError:", // a module only the package loader's path needs
      "        pass",
      "import sima_lab",
      "_root = pathlib.Path(sima_lab.__path__[0])",
      "for _path in sorted(_root.rglob('*.py')):",
      "    _parts = _path.relative_to(_root.parent).with_suffix('').parts",
      "    importlib.import_module('.'.join(_parts[:-1] if _parts[-1] == '__init__' else _parts))",
      "import sima_lab.runner",
      "del importlib, pathlib, _root, _path, _parts",
    ].join("\n"),
  );
  const snapshot = pyodide.makeMemorySnapshot();
  writeFileSync(outArg, snapshot);
  process.stdout.write(MARKER + JSON.stringify({ pyodide: pyodide.version, bytes: snapshot.length }) + "\n");
}

try {
  await main();
} catch (error) {
  process.stderr.write(`snapshot.mjs: ${(error && (error.stack || error.message)) || error}\n`);
  process.exitCode = 1;
}
