// The Python worker: one per page session, a module worker (Pyodide 314 needs one).
// It loads Pyodide from the site itself (assets/pyodide/, every file named by a hash
// of its content), then the lab wheel registered in the trimmed lock the page passes
// on, and runs snippets with sima_lab.runner, one after the other in the order they
// came.
//
// The runtime travels compressed on any host: the wasm and the standard library are
// fetched as their .gz copies and gunzipped here with DecompressionStream, the wasm
// streamed straight into WebAssembly compilation (Pyodide's own fetch of them goes
// through a stand-in that hands over these responses, started before anything else).
// Without DecompressionStream the plain files are fetched; a host that decoded the
// .gz already (Content-Encoding) is noticed by the gzip magic number. Progress names
// the stage and the megabytes left.
//
// The standard library Python starts with is trimmed to what the lab and the claims
// import (tools/sima/stdlib.mjs); the first import of a standard module it lacks
// fetches the whole one (a synchronous request: an import cannot wait), so every
// import that works in the build works here.
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
// itself in this module's closures (siteFetch, post, and the request for the rest of
// the standard library, which can fetch that one file only), which Python cannot
// reach otherwise. The page also starts this worker from a blob: URL, so that the
// page's Content-Security-Policy (connect-src 'self', no 'unsafe-eval') applies here too.
//
// When a run leaves Python unusable (a fatal error: the WebAssembly stack overflowed,
// memory ran out, the interpreter exited), the worker says so ("fatal") and the page
// replaces it.
//
// Messages in:  {type: "load", runtime: {base, names, gzipped, sizes, lock},
//                snapshot?: URL, snapshotPyodide?: version}
//               {type: "run", id, payloadUrl, name, code}
//               {type: "cancel", id}   (a queued run the page no longer wants)
// Messages out: {type: "progress", text}
//               {type: "ready", ms, snapshot}
//               {type: "load-error", stage, message}
//               {type: "started", id}
//               {type: "result", id, result}
//               {type: "run-error", id, text}   (the runner failed; Python lives)
//               {type: "fatal", id, text}       (Python is dead: replace the worker)

// The runner's own ways out, taken before any reader code can run.
const siteFetch = self.fetch.bind(self);
const post = self.postMessage.bind(self);
const listen = self.addEventListener.bind(self);
const Request_ = self.XMLHttpRequest;

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

// -- fetching the runtime -------------------------------------------------------------

const GUNZIPS = typeof DecompressionStream === "function";
const MB = (n) => (n / 1e6).toFixed(1);

// What is being done and how much is left: the megabytes while they come (at most
// every 200 ms), then `after` once they are all in.
function progressOf(total, after) {
  const state = { received: 0, total, sent: 0, done: false };
  state.add = (bytes) => {
    state.received += bytes;
    if (state.received >= state.total) {
      if (!state.done) post({ type: "progress", text: after });
      state.done = true;
      return;
    }
    const now = performance.now();
    if (now - state.sent < 200) return;
    state.sent = now;
    const left = state.total - state.received;
    post({
      type: "progress",
      text: `Downloading Python: ${MB(state.received)} of ${MB(state.total)} MB, ${MB(left)} MB left…`,
    });
  };
  return state;
}

function counted(body, progress) {
  return body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        progress.add(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

// The body gunzipped, unless it does not start with gzip's magic number (a host that
// sent the .gz with Content-Encoding: gzip, which the browser decoded already).
async function gunzipped(body) {
  const reader = body.getReader();
  const first = await reader.read();
  const whole = new ReadableStream({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(first.value);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const bytes = first.done ? new Uint8Array() : first.value;
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return gzip ? whole.pipeThrough(new DecompressionStream("gzip")) : whole;
}

// A runtime file as a Response of `type`: its .gz copy gunzipped where there is one.
async function runtimeFile(runtime, role, type, progress) {
  const name = runtime.names[role];
  const packed = GUNZIPS && runtime.gzipped.includes(role);
  const response = await siteFetch(runtime.base + name + (packed ? ".gz" : ""));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  let body = counted(response.body, progress);
  if (packed) body = await gunzipped(body);
  return new Response(body, { headers: { "Content-Type": type } });
}

// Runs `load` with Pyodide's fetches of the files in `early` answered by those
// (already started) responses; every other fetch goes to the site as it is.
async function withEarly(early, load) {
  const own = self.fetch;
  self.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (early.has(url)) {
      const answer = early.get(url);
      early.delete(url);
      return answer;
    }
    return siteFetch(input, init);
  };
  try {
    return await load();
  } finally {
    self.fetch = own;
    for (const answer of early.values()) answer.catch(() => {}); // not asked for after all
  }
}

// -- the rest of the standard library ---------------------------------------------------

const REST_PY = `
def _sima_rest(load, names):
    import sys
    from importlib.machinery import PathFinder

    class WholeStandardLibrary:
        """Finds a standard module the trimmed standard library lacks in the whole
        one, fetched the first time a module is missing (once it is there)."""

        where = None

        @classmethod
        def find_spec(cls, fullname, path=None, target=None):
            if fullname.partition(".")[0] not in names:
                return None
            if cls.where is None:
                where = load(fullname)
                if not where:
                    return None
                cls.where = where
                sys.path.append(where)
            parent = fullname.rpartition(".")[0]
            if not parent:
                return PathFinder.find_spec(fullname, [cls.where])
            search = getattr(sys.modules.get(parent), "__path__", None)
            if search is None:
                return None
            extra = cls.where + "/" + parent.replace(".", "/")
            if extra not in search:
                search.append(extra)
            return PathFinder.find_spec(fullname, [extra])

        @classmethod
        def invalidate_caches(cls):
            pass

    names = frozenset(names)
    sys.meta_path.append(WholeStandardLibrary)
`;

// The whole standard library for the finder above: fetched synchronously (a module
// worker may), written beside the trimmed one; its path, or "" when it cannot be had.
function restLoader(pyodide, url) {
  let where = "";
  return (name) => {
    if (where) return where;
    console.info(`sima: importing ${name} fetches the rest of the standard library`);
    try {
      const request = new Request_();
      request.open("GET", url, false);
      request.responseType = "arraybuffer";
      request.send();
      if (request.status !== 200) throw new Error(`HTTP ${request.status}`);
      const path = "/lib/python_stdlib_whole.zip";
      pyodide.FS.writeFile(path, new Uint8Array(request.response));
      where = path;
    } catch (error) {
      console.warn(`sima: the rest of the standard library (${url}) could not be fetched: ${error}`);
    }
    return where;
  };
}

function addRest(pyodide, runtime) {
  if (runtime.names.stdlib === runtime.names.stdlib_full) return; // it is all there
  const scope = pyodide.toPy({});
  pyodide.runPython(REST_PY, { globals: scope });
  const names = pyodide.toPy(runtime.stdlib_names || []);
  scope.get("_sima_rest")(restLoader(pyodide, runtime.base + runtime.names.stdlib_full), names);
  names.destroy();
  scope.destroy();
}

// -- loading ---------------------------------------------------------------------------

// The snapshot's bytes: fetched and gunzipped here (static hosts serve .gz files as
// they are, without Content-Encoding).
async function snapshotBytes(url, progress) {
  const response = await siteFetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const stream = await gunzipped(counted(response.body, progress));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function modules(runtime) {
  return Promise.all([import(runtime.base + runtime.names.module), import(runtime.base + runtime.names.asm)]);
}

function pyodideOptions(runtime, createPyodideModule, extra) {
  return {
    indexURL: runtime.base,
    createPyodideModule,
    stdLibURL: runtime.base + runtime.names.stdlib,
    lockFileContents: runtime.lock,
    packageBaseUrl: runtime.base,
    ...quiet,
    ...extra,
  };
}

function earlyFiles(runtime, progress) {
  return new Map([
    [runtime.base + "pyodide.asm.wasm", runtimeFile(runtime, "wasm", "application/wasm", progress)],
    [runtime.base + runtime.names.stdlib, runtimeFile(runtime, "stdlib", "application/zip", progress)],
  ]);
}

async function restore(options, progress) {
  const { runtime, snapshot, snapshotPyodide } = options;
  const bytes = snapshotBytes(snapshot, progress);
  const early = earlyFiles(runtime, progress);
  const [{ loadPyodide, version }, asm] = await modules(runtime);
  if (snapshotPyodide !== version) {
    bytes.catch(() => {});
    throw new Error(`it was made with Pyodide ${snapshotPyodide}, this is ${version}`);
  }
  const pyodide = await withEarly(early, () =>
    loadPyodide(pyodideOptions(runtime, asm.default, { _loadSnapshot: bytes })),
  );
  // The snapshot has the lab imported (its files are not in the restored file system).
  // Pyodide only logs a failed standard library download, and a restore needs none of
  // it until a snippet imports a module the snapshot lacks: check that it is there.
  const stdlib = pyodide.runPython(
    "import os, sys; all(os.path.isfile(p) for p in sys.path if p.endswith('.zip'))",
  );
  if (!stdlib) throw new Error("the standard library did not load");
  addRest(pyodide, runtime);
  pyodide.runPython("import sima_lab.runner");
  return pyodide;
}

async function plain(options, progress) {
  const { runtime } = options;
  const early = earlyFiles(runtime, progress);
  const [{ loadPyodide }, asm] = await modules(runtime);
  const pyodide = await withEarly(early, () => loadPyodide(pyodideOptions(runtime, asm.default, {})));
  addRest(pyodide, runtime);
  // The lab captures what snippets print; anything else is not the reader's.
  post({ type: "progress", text: "Loading the lab…" });
  await pyodide.loadPackage("sima-lab", { messageCallback: () => {}, errorCallback: () => {} });
  pyodide.runPython("import sima_lab.runner");
  return pyodide;
}

async function start(options) {
  if (!options.runtime) throw new Error("the page did not say where the runtime is");
  const sizes = options.runtime.sizes;
  const base = (sizes.wasm || 0) + (sizes.stdlib || 0);
  if (options.snapshot) {
    try {
      const progress = progressOf(base + (sizes.snapshot || 0), "Restoring Python from the snapshot…");
      return { pyodide: await restore(options, progress), snapshot: true };
    } catch (error) {
      console.warn(
        `sima: snapshot ${options.snapshot} not restored, falling back to a plain load: ` +
          String((error && error.message) || error),
      );
    }
  }
  return { pyodide: await plain(options, progressOf(base, "Starting Python…")), snapshot: false };
}

async function load(options) {
  const started = performance.now();
  let stage = "download the Python runtime";
  try {
    post({ type: "progress", text: "Downloading Python…" });
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
