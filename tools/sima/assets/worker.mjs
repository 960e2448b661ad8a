// The Python worker: one per page session, a module worker (Pyodide 314 needs one).
// It loads Pyodide from the site itself (../pyodide/), then the lab wheel registered
// in that folder's pyodide-lock.json, and runs snippets with sima_lab.runner, one
// after the other in the order they came.
//
// With a snapshot named in the "load" message (made at build time by
// tools/sima/snapshot.mjs, gzipped), it restores Python with the lab already imported
// instead of starting it: Pyodide's underscore option _loadSnapshot (314.0.7). Any
// failure (HTTP error, another Pyodide version or build, a restore error) is logged
// with console.warn and followed by the plain load.
//
// Offline by design: once Python and the lab are loaded, and before any reader code
// runs, every way this worker's globals offer to reach the network (fetch,
// XMLHttpRequest, WebSocket, EventSource, importScripts, navigator.sendBeacon, eval
// and so import() of a URL...) is replaced by a stub that raises, in Python,
// ConnectionRefusedError saying that the runner is offline by design, and
// pyodide.http is re-imported over those stubs. The runner keeps what it needs for
// itself in this module's closures (siteFetch, post), which Python cannot reach. The
// page also starts this worker from a blob: URL, so that the page's
// Content-Security-Policy (connect-src 'self', no 'unsafe-eval') applies here too.
//
// When a run leaves Python unusable (a fatal error: the WebAssembly stack overflowed,
// memory ran out, the interpreter exited), the worker says so ("fatal") and the page
// replaces it.
//
// Messages in:  {type: "load", snapshot?: URL, snapshotPyodide?: version}
//               {type: "run", id, payloadUrl, name, code}
//               {type: "cancel", id}   (a queued run the page no longer wants)
// Messages out: {type: "progress", text}
//               {type: "ready", ms}
//               {type: "load-error", stage, message}
//               {type: "started", id}
//               {type: "result", id, result}
//               {type: "run-error", id, text}   (the runner failed; Python lives)
//               {type: "fatal", id, text}       (Python is dead: replace the worker)

const runtimeURL = new URL("../pyodide/", import.meta.url).href;

// The runner's own ways out, taken before any reader code can run.
const siteFetch = self.fetch.bind(self);
const post = self.postMessage.bind(self);
const listen = self.addEventListener.bind(self);

const payloads = new Map();
const cancelled = new Set();
let loading = null;
let queue = Promise.resolve();
let dead = null; // why Python cannot run any more, once it cannot

const quiet = { stdout: () => {}, stderr: () => {} };

// -- offline ---------------------------------------------------------------------------

// Globals of a worker that can send a request, and what each is called in messages.
const NETWORK = {
  fetch: "fetch()",
  fetchLater: "fetchLater()",
  XMLHttpRequest: "XMLHttpRequest",
  WebSocket: "WebSocket",
  WebSocketStream: "WebSocketStream",
  WebTransport: "WebTransport",
  EventSource: "EventSource",
  importScripts: "importScripts()",
  Worker: "Worker",
  SharedWorker: "SharedWorker",
  FontFace: "FontFace",
  caches: "caches",
  eval: "eval() (JavaScript from Python, and so import() of a URL)",
};

const REASON =
  "the runner on this page is offline by design, so code run here cannot make network requests";

// Python's side: the stand-in for each of those globals (any use of it raises
// ConnectionRefusedError in Python, without a detour through JavaScript), and
// pyodide.http imported again over them.
const OFFLINE_PY = `
def _sima_offline(reason):
    import errno
    import sys

    class Refused:
        """Stands in for a way to reach the network: calling it, \`new\` or any
        attribute raises ConnectionRefusedError."""

        def __init__(self, what):
            self._what = what

        def _refuse(self, *args, **kwargs):
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"{self._what}: {reason}")

        __call__ = new = _refuse

        def __getattr__(self, name):
            if name.startswith("_"):
                raise AttributeError(name)
            self._refuse()

        def __repr__(self):
            return f"<{self._what}: offline>"

    # pyodide.http took fetch and XMLHttpRequest from js when it was imported: import
    # it again, over the stand-ins, and put stand-ins in place of its functions.
    for name in [n for n in sys.modules if n == "pyodide.http" or n.startswith("pyodide.http.")]:
        del sys.modules[name]
    import pyodide

    if "http" in vars(pyodide):
        delattr(pyodide, "http")
    import pyodide.http
    import pyodide.http.pyxhr

    pyodide.http.pyfetch = Refused("pyodide.http.pyfetch()")
    pyodide.http.open_url = Refused("pyodide.http.open_url()")
    for verb in ("get", "post", "put", "delete", "head", "patch", "options"):
        setattr(pyodide.http.pyxhr, verb, Refused(f"pyodide.http.pyxhr.{verb}()"))
    return Refused
`;

function lock(target, name, value) {
  try {
    Object.defineProperty(target, name, { value, writable: false, configurable: false });
  } catch {
    try {
      target[name] = value;
    } catch {
      // not replaceable here: the Content-Security-Policy still stands
    }
  }
}

function goOffline(pyodide) {
  const scope = pyodide.toPy({});
  pyodide.runPython(OFFLINE_PY, { globals: scope });
  const Refused = scope.get("_sima_offline")(REASON);
  scope.destroy();
  for (const [name, what] of Object.entries(NETWORK)) lock(self, name, Refused(what));
  if (self.navigator) lock(self.navigator, "sendBeacon", Refused("navigator.sendBeacon()"));
  // JavaScript made from a string (and so import() of a URL) through Function and its
  // kin: they stay what Pyodide needs (instanceof, .prototype) but refuse to compile.
  // The page's Content-Security-Policy (no 'unsafe-eval') refuses them too.
  const refuse = (what) => () => {
    throw new Error(`${what}: ${REASON}`);
  };
  const guard = (maker, what) =>
    new Proxy(maker, { apply: refuse(what), construct: refuse(what) });
  const kinds = [function () {}, async function () {}, function* () {}, async function* () {}];
  for (const sample of kinds) {
    const prototype = Object.getPrototypeOf(sample);
    const guarded = guard(prototype.constructor, `${prototype.constructor.name}()`);
    lock(prototype, "constructor", guarded);
    if (prototype.constructor === guarded && prototype === Function.prototype) {
      lock(self, "Function", guarded);
    }
  }
  // Pyodide's own script loader is a bare import(): no global reaches that one.
  for (const api of [pyodide._api, pyodide._module && pyodide._module.API]) {
    if (api && typeof api.loadScript === "function") api.loadScript = refuse("loading a script");
  }
  // The page talks to this worker: code run here neither closes it nor speaks for it.
  lock(self, "close", () => {
    throw new Error("close() would end the page's Python worker: code run here cannot");
  });
  lock(self, "postMessage", () => {
    throw new Error("postMessage() is the runner's: code run here cannot use it");
  });
}

// -- loading ---------------------------------------------------------------------------

// The snapshot's bytes: fetched and gunzipped here (static hosts serve .gz files as
// they are, without Content-Encoding).
async function snapshotBytes(url) {
  const response = await siteFetch(url);
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

async function start(options) {
  const { loadPyodide, version } = await import(runtimeURL + "pyodide.mjs");
  if (options.snapshot) {
    try {
      return { pyodide: await restore(loadPyodide, version, options), snapshot: true };
    } catch (error) {
      console.warn(
        `sima: snapshot ${options.snapshot} not restored, falling back to a plain load: ` +
          String((error && error.message) || error),
      );
    }
  }
  // The lab captures what snippets print; anything else is not the reader's.
  const pyodide = await loadPyodide({ indexURL: runtimeURL, ...quiet });
  post({ type: "progress", text: "Loading the lab…" });
  await pyodide.loadPackage("sima-lab", { messageCallback: () => {}, errorCallback: () => {} });
  pyodide.runPython("import sima_lab.runner");
  return { pyodide, snapshot: false };
}

async function load(options) {
  const started = performance.now();
  let stage = "download the Python runtime";
  try {
    post({ type: "progress", text: "Downloading the Python runtime (once; the browser keeps it)…" });
    stage = "start Python";
    const { pyodide, snapshot } = await start(options);
    stage = "take the runner offline";
    goOffline(pyodide);
    post({ type: "ready", ms: Math.round(performance.now() - started), snapshot });
    return pyodide;
  } catch (error) {
    post({ type: "load-error", stage, message: String((error && error.message) || error) });
    throw error;
  }
}

// -- running ---------------------------------------------------------------------------

async function payload(url) {
  if (!payloads.has(url)) {
    const response = await siteFetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    payloads.set(url, await response.text());
  }
  return payloads.get(url);
}

function alive(pyodide) {
  try {
    return pyodide.runPython("1") === 1;
  } catch {
    return false;
  }
}

// What happened, in one plain sentence, when Python died under a run.
function deathOf(error) {
  const text = String((error && error.message) || error);
  const exit = /exit\((-?\d+)\)/.exec(text);
  if (exit) return `The code ended Python itself (exit code ${exit[1]}).`;
  if (/call stack|stack overflow|too much recursion/i.test(text)) {
    return "Python crashed: the code went deeper than the browser's stack allows (a runaway recursion?).";
  }
  if (/memory|OOM/i.test(text)) return "Python ran out of memory.";
  const line = text.split("\n").find((l) => l.trim()) || "unknown error";
  return `Python crashed (${line.trim().slice(0, 200)}).`;
}

function failureOf(error) {
  const text = String((error && error.message) || error).trim();
  const lines = text.split("\n").filter((l) => l.trim());
  return `The runner failed: ${(lines[lines.length - 1] || "unknown error").slice(0, 300)}`;
}

async function run({ id, payloadUrl, name, code }) {
  let pyodide;
  try {
    pyodide = await loading;
  } catch {
    return; // load-error was posted
  }
  if (cancelled.delete(id)) return;
  if (dead) {
    post({ type: "fatal", id, text: dead });
    return;
  }
  let data;
  try {
    data = await payload(payloadUrl);
  } catch (error) {
    post({ type: "run-error", id, text: failureOf(error) });
    return;
  }
  post({ type: "started", id });
  let runner = null;
  try {
    runner = pyodide.pyimport("sima_lab.runner");
    // No step budget: the page's time limit stops endless loops instead.
    // (JavaScript's undefined becomes None; null would become pyodide.ffi.jsnull.)
    const text = runner.run_snippet_json.callKwargs(data, name, code, { step_budget: undefined });
    post({ type: "result", id, result: JSON.parse(text) });
  } catch (error) {
    if (alive(pyodide)) {
      post({ type: "run-error", id, text: failureOf(error) });
    } else {
      dead = deathOf(error);
      post({ type: "fatal", id, text: dead });
    }
  } finally {
    if (runner && !dead) {
      try {
        runner.destroy();
      } catch {
        // a dead Python cannot free it
      }
    }
  }
}

listen("message", (event) => {
  const message = event.data;
  if (!loading) {
    loading = load(message.type === "load" ? message : {});
    loading.catch(() => {});
  }
  if (message.type === "run") queue = queue.then(() => run(message));
  else if (message.type === "cancel") cancelled.add(message.id);
});
