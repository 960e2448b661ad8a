// Writes the trimmed standard library the site's Python starts with: the files of
// Pyodide's python_stdlib.zip that the lab and the site's snippets use, as bytecode
// (tools/sima/runtime/assemble.py ships it, gzipped).
//
// Usage: node stdlib.mjs <pyodide-dir> <pyodide-lock.json> <input.json> <out.zip>
//
// <pyodide-dir> is node_modules/pyodide; <pyodide-lock.json> is the lock built by
// tools/sima/runtime/assemble.py, with the lab wheel beside it; <input.json> is the input of
// run_claims.mjs ({"payloads": {key: payload}, "runs": [{"id", "payload", "name"}]}).
// It starts Python the way the page's worker does, imports the lab and what the worker
// itself imports (pyodide.http, to take it offline), runs every claim as the page's
// Run does (no step budget), and prints one line on stdout, `SIMA-STDLIB <json>`:
// {"pyodide", "files": [paths inside the zip, sorted], "failed": [run ids]}. A run
// that fails still counts: the modules it imported are listed.
//
// <out.zip> holds those files, each module compiled by this Python (3.14, the
// page's) into an unchecked hash-based .pyc in place of its .py, so that starting
// Python compiles nothing: it was 2 s of a plain start here. Entries are stored
// uncompressed (gzip then compresses across them) with a fixed date, so the same
// files give the same zip. Tracebacks through these modules show no source lines.

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const MARKER = "SIMA-STDLIB ";
const PACKAGE = "sima-lab";
// What the worker imports itself, after the lab (see frontend/worker/python-worker.mjs, OFFLINE_PY).
const WORKER_IMPORTS = ["errno", "importlib", "importlib.machinery", "pyodide.http", "pyodide.http.pyxhr"];

console.log = console.error;
console.info = console.error;

async function main() {
  const [pyodideArg, lockArg, inputArg, outArg] = process.argv.slice(2);
  if (!pyodideArg || !lockArg || !inputArg || !outArg) {
    throw new Error("usage: node stdlib.mjs <pyodide-dir> <pyodide-lock.json> <input.json> <out.zip>");
  }
  const pyodideDir = resolve(pyodideArg);
  const input = JSON.parse(readFileSync(inputArg, "utf8"));
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({
    indexURL: pyodideDir + "/",
    lockFileURL: resolve(lockArg),
    stdout: (line) => process.stderr.write(`[pyodide stdout] ${line}\n`),
    stderr: (line) => process.stderr.write(`[pyodide stderr] ${line}\n`),
  });
  const errors = [];
  await pyodide.loadPackage(PACKAGE, { messageCallback: () => {}, errorCallback: (l) => errors.push(l) });
  if (errors.length) throw new Error(errors.join("\n"));
  pyodide.runPython(
    `import importlib\nfor name in ${JSON.stringify(WORKER_IMPORTS)}: importlib.import_module(name)\n` +
      "import sima_lab.runner",
  );
  const runner = pyodide.pyimport("sima_lab.runner");
  const failed = [];
  const texts = new Map();
  for (const run of input.runs) {
    if (!texts.has(run.payload)) texts.set(run.payload, JSON.stringify(input.payloads[run.payload]));
    try {
      runner.run_snippet_json.callKwargs(texts.get(run.payload), run.name, { step_budget: undefined });
    } catch (error) {
      failed.push(run.id);
    }
  }
  runner.destroy();
  // Every module loaded from the zip, and each package's __init__ (its folder too).
  const files = pyodide.runPython(`
import sys
_zip = next(p for p in sys.path if p.endswith(".zip"))
_found = set()
for _module in list(sys.modules.values()):
    _origin = getattr(getattr(_module, "__spec__", None), "origin", None) or ""
    if _origin.startswith(_zip + "/"):
        _found.add(_origin[len(_zip) + 1:])
sorted(_found)
`).toJs();
  pyodide.globals.set("_files", pyodide.toPy(files));
  pyodide.runPython(`
import importlib.util, os, py_compile, zipfile
_source = zipfile.ZipFile(_zip)
_folders = set()
for _name in _files:
    _parts = _name.split("/")[:-1]
    _folders |= {"/".join(_parts[: i + 1]) + "/" for i in range(len(_parts))}
_names = set(_source.namelist())
with zipfile.ZipFile("/tmp/trimmed.zip", "w", zipfile.ZIP_STORED) as _out:
    for _name in sorted((set(_files) | _folders) & _names):
        _data = b"" if _name.endswith("/") else _source.read(_name)
        if _name.endswith(".py"):
            os.makedirs("/tmp/src/" + os.path.dirname(_name), exist_ok=True)
            with open("/tmp/src/" + _name, "wb") as _file:
                _file.write(_data)
            py_compile.compile(
                "/tmp/src/" + _name,
                cfile="/tmp/out.pyc",
                dfile=_zip + "/" + _name,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            with open("/tmp/out.pyc", "rb") as _file:
                _data = _file.read()
            _name += "c"
        _info = zipfile.ZipInfo(_name, date_time=(1980, 1, 1, 0, 0, 0))
        _info.external_attr = (0o40755 if _name.endswith("/") else 0o100644) << 16
        _out.writestr(_info, _data)
`);
  writeFileSync(resolve(outArg), pyodide.FS.readFile("/tmp/trimmed.zip"));
  process.stdout.write(MARKER + JSON.stringify({ pyodide: pyodide.version, files, failed }) + "\n");
}

try {
  await main();
} catch (error) {
  process.stderr.write(`stdlib.mjs: ${(error && (error.stack || error.message)) || error}\n`);
  process.exitCode = 1;
}
