// The Python worker: one per page session, a module worker (Pyodide 314 needs one),
// served as assets/sima/python-worker.js (bundled and minified by build.mjs) and
// started by runner/worker-client.mjs, whose messages are listed below.
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
// the stage and the megabytes left. Files the site's cache holds (the service worker
// keeps them) are read from it here, not fetched through the service worker.
//
// The standard library Python starts with is trimmed to what the lab and the claims
// import (tools/sima/runtime/stdlib.mjs); the first import of a standard module it lacks
// fetches the whole one (a synchronous request: an import cannot wait), so every
// import that works in the build works here.
//
// With a snapshot named in the "load" message (made at build time by
// tools/sima/runtime/snapshot.mjs, gzipped), it restores Python with the lab already imported
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
// itself in this module's closures (siteFetch, the site's cache, post, and the
// request for the rest of the standard library, which can fetch that one file only),
// which Python cannot reach otherwise. The page also starts this worker from a blob:
// URL, so that the page's Content-Security-Policy (connect-src 'self', no
// 'unsafe-eval') applies here too.
//
// When a run leaves Python unusable (a fatal error: the WebAssembly stack overflowed,
// memory ran out, the interpreter exited), the worker says so ("fatal") and the page
// replaces it.
//
// Messages in:  {type: "load", runtime: {base, names, gzipped, sizes, lock, stdlib_names},
//                snapshot?: URL, snapshotPyodide?: version, policy?: "always"|"never",
//                keep?: (a service worker controls the page, and keeps what is fetched),
//                rate?: (bytes a second the page's own document came at, 0: unknown)}
//               {type: "run", id, payloadUrl, name, code}
//               {type: "cancel", id}   (a queued run the page no longer wants)
// Messages out: {type: "progress", text}
//               {type: "ready", ms, snapshot, fetched}  (why it restored the snapshot,
//                or ""; the site's URLs it fetched)
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
// (The runner's own handle on the cache: once the worker is offline, `self.caches` is
// a stand-in that refuses.)
const cacheStorage = self.caches;

// The site's cached copy of `url`, or null.
async function fromCache(url) {
  try {
    return (cacheStorage && (await cacheStorage.match(url))) || null;
  } catch {
    return null; // no Cache Storage here (an opaque origin, a private mode)
  }
}

// A file of the site: from the site's cache when it has it (read here, not through the
// service worker, which would pass every chunk through its own script), else fetched.
// `hit`: its cached copy, when the caller looked it up already.
async function kept(url, init, hit = undefined) {
  if (!(init && init.cache === "reload")) {
    const copy = hit === undefined ? await fromCache(url) : hit;
    if (copy) return copy;
  }
  return siteFetch(url, init);
}

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
  const state = { received: 0, total, sent: 0, done: false, after, started: performance.now() };
  // Bytes a second so far: what the connection gives (measured on the runtime's first
  // files, which start together).
  state.rate = () => state.received / (Math.max(performance.now() - state.started, 1) / 1000);
  state.add = (bytes) => {
    state.received += bytes;
    if (state.received >= state.total) {
      if (!state.done) post({ type: "progress", text: state.after });
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
  const response = await kept(runtime.base + name + (packed ? ".gz" : ""), runtime.init);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  let body = counted(response.body, progress);
  if (packed) body = await gunzipped(body);
  return new Response(body, { headers: { "Content-Type": type } });
}

// Runs `load` with Pyodide's fetches of the files in `early` answered by those
// (already started) responses, and its instantiation of the wasm by the module
// compiled early; every other fetch goes to the site as it is.
async function withEarly(early, load) {
  const own = { fetch: self.fetch, instantiate: WebAssembly.instantiateStreaming };
  const href = (url) => new URL(url, self.location.href).href;
  const files = new Map([...early.files].map(([url, answer]) => [href(url), answer]));
  self.fetch = (input, init) => {
    const url = href(String(input instanceof Request ? input.url : input));
    if (files.has(url)) {
      const answer = files.get(url);
      files.delete(url);
      return answer;
    }
    return siteFetch(input, init);
  };
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const response = await source;
    if (response !== compiledHere) return own.instantiate.call(WebAssembly, response, imports);
    const module = await early.wasm;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  try {
    // Pyodide only logs a failed instantiation and then waits for ever: a wasm that
    // does not compile (a broken copy) ends the load here instead.
    const never = new Promise(() => {});
    return await Promise.race([load(), early.wasm.then(() => never)]);
  } finally {
    self.fetch = own.fetch;
    WebAssembly.instantiateStreaming = own.instantiate;
    for (const answer of files.values()) answer.catch(() => {}); // not asked for after all
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
async function snapshotBytes(url, progress, init, hit) {
  const response = await kept(url, init, hit);
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

// The runtime's two big files, fetched from the start: the wasm compiled as it arrives
// (streaming, before Pyodide's loader is even in), the standard library read in.
function earlyFiles(runtime, progress) {
  const wasm = WebAssembly.compileStreaming(runtimeFile(runtime, "wasm", "application/wasm", progress));
  const stdlib = runtimeFile(runtime, "stdlib", "application/zip", progress).then((r) => r.arrayBuffer());
  wasm.catch(() => {});
  stdlib.catch(() => {});
  return {
    wasm,
    files: new Map([
      [runtime.base + "pyodide.asm.wasm", wasm.then(() => compiledHere)],
      [runtime.base + runtime.names.stdlib, stdlib.then((bytes) => new Response(bytes))],
    ]),
  };
}

// Stands for the wasm in Pyodide's hands: instantiateStreaming, given it, uses the
// module compiled above.
const compiledHere = new Response(null, { status: 200 });

// The lock's sha256 (hex) as a Subresource Integrity value, what Pyodide fetches with.
function integrity(hex) {
  const bytes = hex.match(/../g).map((pair) => parseInt(pair, 16));
  return "sha256-" + btoa(String.fromCharCode(...bytes));
}

// The snapshot's bytes, fetched from now on (awaited by Pyodide in restore(), or given
// up with the restore); `hit`, its cached copy if already looked up.
function snapshotFetch(options, progress, hit) {
  const bytes = snapshotBytes(options.snapshot, progress, options.runtime.init, hit);
  bytes.catch(() => {});
  return bytes;
}

async function restore(options, early, loaded, bytes) {
  const { runtime, snapshotPyodide } = options;
  const [{ loadPyodide, version }, asm] = await loaded;
  if (snapshotPyodide !== version) {
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

async function plain(options, progress, early, loaded) {
  const { runtime } = options;
  // The lab's wheel is fetched now, with the lock's hash (as Pyodide would, later).
  const entry = runtime.lock.packages[PACKAGE];
  const wheel = runtime.base + entry.file_name;
  const fetched = siteFetch(wheel, { ...runtime.init, integrity: integrity(entry.sha256) });
  fetched.then(() => progress.add(runtime.sizes.wheel || 0), () => {});
  early.files.set(wheel, fetched);
  const [{ loadPyodide }, asm] = await loaded;
  return withEarly(early, async () => {
    const pyodide = await loadPyodide(pyodideOptions(runtime, asm.default, {}));
    addRest(pyodide, runtime);
    // The lab captures what snippets print; anything else is not the reader's.
    post({ type: "progress", text: "Loading the lab…" });
    await pyodide.loadPackage(PACKAGE, { messageCallback: () => {}, errorCallback: () => {} });
    pyodide.runPython("import sima_lab.runner");
    return pyodide;
  });
}

// -- choosing the start -----------------------------------------------------------------
//
// The snapshot saves the plain start's work (about 0.5 s here, now that the standard
// library is bytecode) and costs its size (5.7 MB: 5 s at 10 Mbit/s). So it is
// restored only where it costs next to nothing: when a cache has it (the service
// worker keeps it once fetched; it is then read at once, beside the wasm), or when
// this connection moved more than FAST bytes a second: of the page's own document, as
// the page measured it, or of the wasm and the standard library while Pyodide's
// loader came in (the first tenth of a second here, a second at 10 Mbit/s). Either is
// a floor: a small document says more of the round trip than of the bandwidth, and
// the runtime's files are read only as fast as they are gunzipped and compiled, which
// on a slow processor (or through the service worker's script) says little of the
// network. Otherwise
// Python starts the plain way, and once it is ready, with a service worker to keep
// it and no request to save data, the snapshot is fetched in the background for the
// next page. `policy` ("always", "never") overrides the choice, for the benchmark.

const PACKAGE = "sima-lab";
// The snapshot's 5.7 MB cost what they save (about half a second here: 1.2 s against
// 1.7 s to the first verdict, unthrottled) at about 11 MB/s; above 15, it pays.
const FAST = 15e6; // bytes per second
const LATER_MS = 3000;


// Why the snapshot is restored without waiting ("asked for", "cached", or ""), and
// its cached copy when the cache has it (read, not looked up again).
async function snapshotAtOnce(options) {
  if (!options.snapshot || options.policy === "never") return { why: "" };
  if (options.policy === "always") return { why: "asked for" };
  const hit = await fromCache(options.snapshot);
  return hit ? { why: "cached", hit } : { why: "", hit };
}

// Otherwise: a fast connection, as the page measured it or as measured while
// Pyodide's loader came in.
function fastConnection(options, progress) {
  if (!options.snapshot || options.policy === "never") return "";
  const rate = Math.max(options.rate || 0, progress.rate());
  return rate >= FAST ? `a fast connection (${MB(rate)} MB/s)` : "";
}

function keepForLater(options) {
  const saving = self.navigator && self.navigator.connection && self.navigator.connection.saveData;
  if (!options.snapshot || !options.keep || options.policy === "never" || saving) return;
  // A little later: the reader's first verdict and the editor come first.
  setTimeout(() => {
    fromCache(options.snapshot).then((there) => {
      if (there) return;
      siteFetch(options.snapshot)
        .then((response) => (response.ok ? response.body.pipeTo(new WritableStream()) : null))
        .catch(() => {}); // only a head start for the next page
    });
  }, LATER_MS);
}

async function start(options) {
  if (!options.runtime) throw new Error("the page did not say where the runtime is");
  const { runtime } = options;
  const sizes = runtime.sizes;
  const progress = progressOf((sizes.wasm || 0) + (sizes.stdlib || 0), "Starting Python…");
  let early = earlyFiles(runtime, progress);
  const loaded = modules(runtime);
  // A snapshot the cache has is fetched at once, beside the wasm; one that would come
  // over the network waits for the measure of the connection, once the loader is in.
  const restoring = (hit) => {
    progress.total += sizes.snapshot || 0;
    progress.after = "Restoring Python from the snapshot…";
    return snapshotFetch(options, progress, hit);
  };
  const atOnce = await snapshotAtOnce(options);
  let why = atOnce.why;
  let bytes = why ? restoring(atOnce.hit) : null;
  await loaded;
  if (!why) {
    why = fastConnection(options, progress);
    if (why) bytes = restoring(atOnce.hit);
  }
  if (why) {
    try {
      const pyodide = await restore(options, early, loaded, bytes);
      return { pyodide, snapshot: why };
    } catch (error) {
      console.warn(
        `sima: snapshot ${options.snapshot} not restored, falling back to a plain load: ` +
          String((error && error.message) || error),
      );
      early = earlyFiles(runtime, progressOf(0, "Starting Python…")); // (those went to the restore)
    }
  }
  progress.total += sizes.wheel || 0;
  const pyodide = await plain(options, progress, early, loaded);
  return { pyodide, snapshot: "" };
}

// With a service worker, a file from its cache that does not work (a broken entry)
// gets one more try from the network (`cache: "reload"` makes the worker replace it).
async function startOrRetry(options) {
  try {
    return await start(options);
  } catch (error) {
    if (!options.keep) throw error;
    console.warn(
      "sima: Python did not start from the site's cache (" +
        String((error && error.message) || error) +
        "); fetching the runtime from the network again",
    );
    const runtime = { ...options.runtime, init: { cache: "reload" } };
    return start({ ...options, runtime });
  }
}

// What this worker fetched from the site (for the service worker to keep).
function fetchedHere() {
  const site = new URL("../../", import.meta.url).href; // (this module: assets/sima/)
  return performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((url) => url.startsWith(site));
}

async function load(options) {
  const started = performance.now();
  let stage = "download the Python runtime";
  try {
    post({ type: "progress", text: "Downloading Python…" });
    stage = "start Python";
    const { pyodide, snapshot } = await startOrRetry(options);
    // Python then checks for signals now and then, which calls out of WebAssembly:
    // WebKit cannot stop a worker whose wasm never does (a `while True: pass` kept
    // a core busy after Stop or the time limit). Nothing writes to the buffer.
    pyodide.setInterruptBuffer(new Int32Array(1));
    stage = "take the runner offline";
    goOffline(pyodide);
    const ms = Math.round(performance.now() - started);
    post({ type: "ready", ms, snapshot, fetched: fetchedHere() });
    if (!snapshot) keepForLater(options);
    return pyodide;
  } catch (error) {
    post({ type: "load-error", stage, message: String((error && error.message) || error) });
    throw error;
  }
}

// -- running ---------------------------------------------------------------------------

// A snippet folder's data, fetched once (as soon as a run for it arrives, while
// Python may still be loading); a failed fetch is tried again by the next run.
function payload(url) {
  if (!payloads.has(url)) {
    const text = siteFetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.text();
    });
    text.catch(() => payloads.delete(url));
    payloads.set(url, text);
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
  if (message.type === "run") {
    payload(message.payloadUrl).catch(() => {}); // now, not after Python is in
    queue = queue.then(() => run(message));
  }
  else if (message.type === "cancel") cancelled.add(message.id);
});
