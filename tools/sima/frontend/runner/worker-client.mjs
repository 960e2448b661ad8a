// The page's side of the Python worker (worker/python-worker.mjs): one module Web
// Worker per page session, which lives across mkdocs-material's instant navigation.
//
// Runs are jobs queued in `pending` (in the order posted, which is the order the
// worker runs them); a job is {owner, message, status(text), end(outcome)}: `status`
// is told what the worker is doing, `end` is called once, with {state, text, result,
// retry}. The worker is replaced, and the jobs it had not started are posted again to
// the new one, whenever it cannot go on: a run passed the time limit or was stopped,
// Python died under a run ("fatal"), the runner failed ("run-error"), the worker
// raised an 'error' event, or it stalled (it was ready, owed a run its "started", and
// said nothing for the time limit).
//
// Nothing here starts on its own: the worker starts on prefetch() or the first job.

import { keep } from "../offline.mjs";
import { ASSETS } from "../page.mjs";
import { SETTINGS } from "./settings.mjs";

let worker = null;
let runtime = { status: "idle", progress: "", failure: "" };
const pending = new Map(); // run id -> job (with started, startedAt, retried)
let nextId = 1;
let watchdog = null;
let owedSince = 0; // since when the worker owes us a message about the first run
let workers = 0; // workers started this session

/** The worker's status ("idle", "loading", "ready", "failed"), its progress text, why
 * it failed, and how many workers this page session started. */
export function runtimeState() {
  return { workers, ...runtime };
}

// A worker fetched from a URL gets its Content-Security-Policy from its own response
// headers, which a static host does not let the site set; a worker started from a
// blob: URL runs under the page's (the <meta> tag). So the worker is a one-line
// module made here that imports python-worker.js; if that cannot start, that file itself.
function spawn(viaBlob) {
  const script = new URL("python-worker.js", ASSETS).href;
  const options = { type: "module", name: "sima-python" };
  if (viaBlob && typeof Blob === "function" && window.URL && URL.createObjectURL) {
    const source = URL.createObjectURL(
      new Blob(["import " + JSON.stringify(script) + ";\n"], { type: "text/javascript" }),
    );
    try {
      const made = new Worker(source, options);
      made.simaSource = source;
      return made;
    } catch {
      URL.revokeObjectURL(source);
    }
  }
  return new Worker(script, options);
}

// Bytes a second this page's document came at over the network (its Navigation
// Timing), or 0 when it did not come that way (a cache or a service worker answered)
// or the browser does not say.
function documentRate() {
  const entry = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  if (!entry || !entry.transferSize || entry.workerStart > 0) return 0;
  const took = entry.responseEnd - entry.responseStart;
  return entry.encodedBodySize / (Math.max(took, 1) / 1000);
}

function loadMessage() {
  const load = { type: "load" };
  if (SETTINGS.runtime) {
    load.runtime = { base: new URL("../pyodide/", ASSETS).href, ...SETTINGS.runtime };
  }
  if (SETTINGS.snapshot) {
    // The worker restores it where it pays (python-worker.mjs says when).
    load.snapshot = new URL("../pyodide/" + SETTINGS.snapshot, ASSETS).href;
    load.snapshotPyodide = SETTINGS.snapshot_pyodide;
    // "always" or "never": the benchmark's and the tests' override, a global they set
    // themselves (this code only reads it, when Python starts).
    load.policy = window.SIMA_SNAPSHOT;
    load.keep = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
    load.rate = documentRate();
  }
  return load;
}

function startWorker(viaBlob) {
  runtime = { status: "loading", progress: "Downloading Python…", failure: "" };
  const current = spawn(viaBlob !== false);
  let heard = false;
  workers += 1;
  worker = current;
  current.onmessage = (event) => {
    if (current !== worker) return; // the last words of a replaced worker
    if (!heard && current.simaSource) URL.revokeObjectURL(current.simaSource);
    heard = true;
    onMessage(event.data);
  };
  current.onerror = (event) => {
    event.preventDefault();
    if (current !== worker) return;
    if (!heard && current.simaSource) {
      // the blob: start failed: start python-worker.js itself
      current.terminate();
      startWorker(false);
      pending.forEach(send);
      return;
    }
    if (!heard) {
      onMessage({ type: "load-error", stage: "start the worker", message: event.message || "unknown error" });
      return;
    }
    replace("Python's worker failed (" + (event.message || "unknown error") + ").");
  };
  current.postMessage(loadMessage());
}

/** Start Python now, unless it is started already. */
export function prefetch() {
  if (!worker) startWorker();
}

/** After a failed load, forget the worker: the next job starts a new one. */
export function forgetFailed() {
  if (runtime.status !== "failed") return;
  if (worker) worker.terminate();
  worker = null;
}

// Work that waits for Python to be loaded (or to have failed to load).
let afterLoad = [];

/** Do `task` once Python is loaded (or failed to load). */
export function whenLoaded(task) {
  afterLoad.push(task);
}

function loaded() {
  const tasks = afterLoad;
  afterLoad = [];
  tasks.forEach((task) => task());
}

function send(job) {
  job.started = false;
  worker.postMessage(job.message);
}

function head() {
  return pending.values().next().value || null;
}

// One timer for the worker: the time limit of the run it started, or how long it
// may stay silent while it owes the first queued run its "started".
function watch() {
  clearTimeout(watchdog);
  watchdog = null;
  const job = head();
  if (!job) return;
  const limit = SETTINGS.timeout * 1000;
  if (job.started) {
    watchdog = setTimeout(() => timeOut(job), job.startedAt + limit - performance.now());
  } else if (runtime.status === "ready") {
    watchdog = setTimeout(() => stalled(job), owedSince + limit - performance.now());
  }
}

function retire(job) {
  pending.delete(job.message.id);
  if (!pending.size) clearTimeout(watchdog);
}

const RESTARTED = " Python was restarted, so the next run starts fresh.";

/** Terminate the worker and start a new one: the run it was running (if any) ends
 * with `reason`; the runs it had not started go to the new worker. */
export function replace(reason) {
  if (worker) worker.terminate();
  worker = null;
  pending.forEach((job) => {
    if (!job.started) return;
    retire(job);
    job.end({ state: "error", text: reason + RESTARTED, result: null });
  });
  startWorker();
  owedSince = performance.now();
  pending.forEach(send);
  watch();
}

function onMessage(message) {
  const job = pending.get(message.id);
  owedSince = performance.now();
  switch (message.type) {
    case "progress":
      runtime.progress = message.text;
      pending.forEach((j) => j.status(message.text));
      break;
    case "ready":
      runtime.status = "ready";
      console.info(
        "sima: Python ready in " +
          message.ms +
          " ms" +
          (message.snapshot ? " (from the snapshot: " + message.snapshot + ")" : ""),
      );
      pending.forEach((j) => j.status("Running…"));
      if (message.fetched) keep(message.fetched);
      loaded();
      break;
    case "load-error":
      runtime.status = "failed";
      runtime.failure = "Could not " + message.stage + ": " + message.message;
      pending.forEach((j) => {
        retire(j);
        j.end({ state: "error", text: runtime.failure, result: null, retry: true });
      });
      loaded();
      break;
    case "started":
      if (job) {
        job.started = true;
        job.startedAt = performance.now();
        job.status("Running…");
      }
      break;
    case "result":
      if (job) {
        retire(job);
        job.end({ state: message.result.status === "error" ? "error" : "ok", result: message.result });
      }
      break;
    case "run-error":
    case "fatal":
      // Python may still answer after a run-error, but whatever broke the runner
      // may break the next run too: start afresh either way.
      if (job) {
        retire(job);
        job.end({ state: "error", text: message.text + RESTARTED, result: null });
      }
      replace("Interrupted: Python had to be restarted.");
      return;
  }
  watch();
}

function timeOut(job) {
  if (pending.get(job.message.id) !== job) return;
  retire(job);
  job.end({
    state: "timeout",
    text: "Stopped after " + SETTINGS.timeout + " s: the code did not finish (an endless loop?)." + RESTARTED,
    result: null,
  });
  replace("Interrupted because another snippet hit the time limit.");
}

function stalled(job) {
  if (pending.get(job.message.id) !== job || job.started) return;
  console.warn("sima: Python did not answer for " + SETTINGS.timeout + " s; restarting it");
  if (job.retried) {
    retire(job);
    job.end({
      state: "error",
      text: "Python did not answer for " + SETTINGS.timeout + " s, even after a restart. Run it again.",
      result: null,
    });
  }
  job.retried = true;
  replace("Interrupted: Python had to be restarted.");
}

/** Queue a run: `message` ({type: "run", payloadUrl, name, code}) gets its id here. */
export function submit(job) {
  const id = nextId++;
  job.message = { ...job.message, id };
  job.started = false;
  if (!pending.size) owedSince = performance.now();
  pending.set(id, job);
  prefetch();
  send(job);
  watch();
}

/** Forget the owner's queued or running runs (before a new run, Stop or Reset),
 * ending each with `outcome` when one is given. True when one of them was running,
 * so the worker must be replaced. */
export function drop(owner, outcome) {
  let running = false;
  pending.forEach((job, id) => {
    if (job.owner !== owner) return;
    if (job.started) running = true;
    else if (worker) worker.postMessage({ type: "cancel", id });
    retire(job);
    if (outcome) job.end(outcome);
  });
  return running;
}
