// The Python worker: one per page session, a module worker (Pyodide 314 needs one).
// It loads Pyodide from the site itself (../pyodide/), then the lab wheel registered
// in that folder's pyodide-lock.json, and runs snippets with sima_lab.runner.
//
// Messages in:  {type: "load"}
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

async function load() {
  const started = performance.now();
  let stage = "download the Python runtime";
  try {
    post({ type: "progress", text: "Downloading the Python runtime (about 13 MB, cached after the first time)…" });
    const { loadPyodide } = await import(runtimeURL + "pyodide.mjs");
    stage = "start Python";
    const pyodide = await loadPyodide({
      indexURL: runtimeURL,
      // The lab captures what snippets print; anything else is not the reader's.
      stdout: () => {},
      stderr: () => {},
    });
    stage = "load the lab (sima-lab wheel)";
    post({ type: "progress", text: "Loading the lab…" });
    await pyodide.loadPackage("sima-lab", { messageCallback: () => {}, errorCallback: () => {} });
    pyodide.runPython("import sima_lab.runner");
    post({ type: "ready", ms: Math.round(performance.now() - started) });
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
    loading = load();
    loading.catch(() => {});
  }
  if (message.type === "run") run(message);
};
