// The Python worker: one per page session, a module worker (Pyodide 314 needs one).
// It loads Pyodide from the site itself (../pyodide/), then the lab wheel registered
// in that folder's pyodide-lock.json, and runs snippets with sima_lab.runner.
//
// With a snapshot named in the "load" message (made at build time by
// tools/sima/snapshot.mjs, gzipped), it restores Python with the lab already imported
// instead of starting it: Pyodide's underscore option _loadSnapshot (314.0.7). Any
// failure (HTTP error, another Pyodide version or build, a restore error) is logged
// with console.warn and followed by the plain load.
//
// Messages in:  {type: "load", snapshot?: URL, snapshotPyodide?: version}
//               {type: "run", id, payloadUrl, name, code}
// Messages out: {type: "progress", text}
//               {type: "ready", ms}
//               {type: "load-error", stage, message}
//               {type: "started", id}
//               {type: "result", id, result}
//               {type: "run-error", id, message}

const runtimeURL = new URL("../pyodide/", import.meta.url).href;
const payloads = new Map();
let loading = null;

function post(message) {
  self.postMessage(message);
}

const quiet = { stdout: () => {}, stderr: () => {} };

// The snapshot's bytes: fetched and gunzipped here (static hosts serve .gz files as
// they are, without Content-Encoding).
async function snapshotBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function restore(loadPyodide, version, { snapshot, snapshotPyodide }) {
  if (snapshotPyodide !== version) {
    throw new Error(`it was made with Pyodide ${snapshotPyodide}, this is ${version}`);
  }
  const bytes = await snapshotBytes(snapshot);
  const pyodide = await loadPyodide({ indexURL: runtimeURL, _loadSnapshot: bytes, ...quiet });
  // The snapshot has the lab imported (its files are not in the restored file system).
  // Pyodide only logs a failed standard library download, and a restore needs none of
  // it until a snippet imports a module the snapshot lacks: check that it is there.
  const stdlib = pyodide.runPython(
    "import os, sys; all(os.path.isfile(p) for p in sys.path if p.endswith('.zip'))",
  );
  if (!stdlib) throw new Error("the standard library (python_stdlib.zip) did not load");
  pyodide.runPython("import sima_lab.runner");
  return pyodide;
}

async function load(options) {
  const started = performance.now();
  let stage = "download the Python runtime";
  try {
    post({ type: "progress", text: "Downloading the Python runtime (once; the browser keeps it)…" });
    const { loadPyodide, version } = await import(runtimeURL + "pyodide.mjs");
    stage = "start Python";
    if (options.snapshot) {
      try {
        const pyodide = await restore(loadPyodide, version, options);
        post({ type: "ready", ms: Math.round(performance.now() - started), snapshot: true });
        return pyodide;
      } catch (error) {
        console.warn(
          `sima: snapshot ${options.snapshot} not restored, falling back to a plain load: ` +
            String((error && error.message) || error),
        );
      }
    }
    const pyodide = await loadPyodide({
      indexURL: runtimeURL,
      // The lab captures what snippets print; anything else is not the reader's.
      ...quiet,
    });
    stage = "load the lab (sima-lab wheel)";
    post({ type: "progress", text: "Loading the lab…" });
    await pyodide.loadPackage("sima-lab", { messageCallback: () => {}, errorCallback: () => {} });
    pyodide.runPython("import sima_lab.runner");
    post({ type: "ready", ms: Math.round(performance.now() - started), snapshot: false });
    return pyodide;
  } catch (error) {
    post({ type: "load-error", stage, message: String((error && error.message) || error) });
    throw error;
  }
}

async function payload(url) {
  if (!payloads.has(url)) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    payloads.set(url, await response.text());
  }
  return payloads.get(url);
}

async function run({ id, payloadUrl, name, code }) {
  let pyodide;
  try {
    pyodide = await loading;
  } catch {
    return; // load-error was posted
  }
  try {
    const data = await payload(payloadUrl);
    post({ type: "started", id });
    const runner = pyodide.pyimport("sima_lab.runner");
    // No step budget: the page's time limit stops endless loops instead.
    // (JavaScript's undefined becomes None; null would become pyodide.ffi.jsnull.)
    const text = runner.run_snippet_json.callKwargs(data, name, code, { step_budget: undefined });
    runner.destroy();
    post({ type: "result", id, result: JSON.parse(text) });
  } catch (error) {
    post({ type: "run-error", id, message: String((error && error.message) || error) });
  }
}

self.onmessage = (event) => {
  const message = event.data;
  if (!loading) {
    loading = load(message.type === "load" ? message : {});
    loading.catch(() => {});
  }
  if (message.type === "run") run(message);
};
