// Runs snippet claims inside Pyodide under Node, the way the site's worker does.
//
// Usage: node tools/sima/proofs/run_claims.mjs <pyodide-dir> <pyodide-lock.json> <input.json>
//
// <pyodide-dir> is node_modules/pyodide (indexURL). <pyodide-lock.json> is the lock
// built by tools/sima/runtime/assemble.py, with the lab wheel (sima-lab) beside it: Pyodide
// takes the wheel's folder (packageBaseUrl, and in Node packageCacheDir) from the
// lock's URL, as the browser does with assets/pyodide/.
//
// <input.json>: {"payloads": {key: payload}, "runs": [{"id", "payload": key, "name"}]}
// Every run calls sima_lab.runner.run_snippet_json(payload_json, name) with the
// default step budget, as CPython does.
//
// Output: one line on stdout, `SIMA-PARITY-RESULT <json>`, with
// {"pyodide", "python", "lab_version", "load_ms", "run_ms", "results": {id: result}}.
// Everything else (Pyodide's messages, timings) goes to stderr. Exit status 1 with a
// message on stderr when Pyodide or the lab cannot be loaded.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const MARKER = "SIMA-PARITY-RESULT ";
const PACKAGE = "sima-lab";

// Pyodide and its loader may console.log; stdout is kept for the result line only.
console.log = console.error;
console.info = console.error;

function fail(stage, error) {
  const detail = (error && (error.stack || error.message)) || String(error);
  process.stderr.write(`run_claims.mjs: cannot ${stage}: ${detail}\n`);
  process.exitCode = 1;
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

// Node's Pyodide reads a local wheel without checking the lock's sha256 (only the
// browser's fetch gets the `integrity` option), so the harness checks it itself.
function checkLockEntry(lockPath) {
  const lock = JSON.parse(readFileSync(lockPath, "utf8"));
  const entry = lock.packages && lock.packages[PACKAGE];
  if (!entry) throw new Error(`${lockPath} has no package "${PACKAGE}"`);
  const wheel = join(dirname(lockPath), entry.file_name);
  const actual = sha256(wheel);
  if (actual !== entry.sha256) {
    throw new Error(`${wheel}: sha256 ${actual} does not match the lock's ${entry.sha256}`);
  }
  return entry;
}

async function load(pyodideDir, lockPath) {
  const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
  const pyodide = await loadPyodide({
    indexURL: pyodideDir + "/",
    lockFileURL: lockPath,
    stdout: (line) => process.stderr.write(`[pyodide stdout] ${line}\n`),
    stderr: (line) => process.stderr.write(`[pyodide stderr] ${line}\n`),
  });
  // loadPackage does not reject when a wheel is missing or broken: it reports to
  // errorCallback and resolves, so errors are collected and checked here.
  const errors = [];
  await pyodide.loadPackage(PACKAGE, {
    messageCallback: (line) => process.stderr.write(`[loadPackage] ${line}\n`),
    errorCallback: (line) => errors.push(line),
  });
  if (errors.length > 0) throw new Error(errors.join("\n"));
  if (!(PACKAGE in pyodide.loadedPackages)) throw new Error(`${PACKAGE} was not loaded`);
  pyodide.runPython("import sima_lab.runner");
  return pyodide;
}

async function main() {
  const [pyodideArg, lockArg, inputArg] = process.argv.slice(2);
  if (!pyodideArg || !lockArg || !inputArg) {
    fail("start", "usage: node run_claims.mjs <pyodide-dir> <pyodide-lock.json> <input.json>");
    return;
  }
  const pyodideDir = resolve(pyodideArg);
  const lockPath = resolve(lockArg);

  let input;
  let entry;
  try {
    input = JSON.parse(readFileSync(inputArg, "utf8"));
    entry = checkLockEntry(lockPath);
  } catch (error) {
    fail("read the input or the lock", error);
    return;
  }

  const started = performance.now();
  let pyodide;
  try {
    pyodide = await load(pyodideDir, lockPath);
  } catch (error) {
    fail(`load Pyodide and the ${PACKAGE} wheel`, error);
    return;
  }
  const loadMs = performance.now() - started;
  process.stderr.write(`run_claims.mjs: Pyodide ${pyodide.version} and ${entry.file_name} `);
  process.stderr.write(`loaded in ${Math.round(loadMs)} ms\n`);

  const lab = pyodide.runPython(
    "import importlib.metadata, sys; " +
      "[sys.version, importlib.metadata.version('sima-lab')]",
  );
  const [python, labVersion] = lab.toJs();
  lab.destroy();
  if (labVersion !== entry.version) {
    fail("check the lab", `installed sima-lab ${labVersion}, the lock says ${entry.version}`);
    return;
  }

  const runner = pyodide.pyimport("sima_lab.runner");
  const texts = new Map();
  const results = {};
  const runStarted = performance.now();
  try {
    for (const run of input.runs) {
      if (!texts.has(run.payload)) {
        texts.set(run.payload, JSON.stringify(input.payloads[run.payload]));
      }
      // No options: the default step budget, the same as CPython's run_snippet.
      results[run.id] = JSON.parse(runner.run_snippet_json(texts.get(run.payload), run.name));
    }
  } catch (error) {
    fail("run the claims", error);
    return;
  } finally {
    runner.destroy();
  }
  const runMs = performance.now() - runStarted;
  process.stderr.write(
    `run_claims.mjs: ${input.runs.length} claims run in ${Math.round(runMs)} ms\n`,
  );

  const document = {
    pyodide: pyodide.version,
    python,
    lab_version: labVersion,
    load_ms: Math.round(loadMs),
    run_ms: Math.round(runMs),
    results,
  };
  process.stdout.write(MARKER + JSON.stringify(document) + "\n");
}

await main();
