// Run snippets in the page: an editor per snippet, and one Python worker per session.
//
// Contract for tests (see DESIGN.md, "Stable hooks"): each block carries
// data-snippet and data-claim; its buttons data-action="run|stop|reset|copy"; its
// output region role="log" aria-live="polite"; after a run, data-state is ok, error
// or timeout, and data-verdict is what the check observed. window.sima.setCode(block,
// text) and window.sima.run(block) return promises; window.sima.runtime() tells the
// worker's status and how many workers this page session started (`workers`).
//
// Nothing of Pyodide is fetched on page load. The worker starts when a snippet
// scrolls into view after the reader scrolls, when the pointer or focus reaches Run,
// or on the first run. It lives across mkdocs-material's instant navigation.
//
// After a run the block gets a `sima:result` event (detail: the run's result), after
// Reset a `sima:reset`: timeline.js redraws the block's timeline from them.
(function () {
  "use strict";

  var ASSETS = new URL(".", document.currentScript.src); // .../assets/sima/
  var CONFIG = Object.assign({ timeout: 10 }, window.SIMA_CONFIG || {});

  // -- the worker ------------------------------------------------------------------
  //
  // Runs are queued in `pending` (in the order posted, which is the order the worker
  // runs them). The worker is replaced, and the runs it had not started are posted
  // again to the new one, whenever it cannot go on: a run passed the time limit or
  // was stopped, Python died under a run ("fatal"), the runner failed ("run-error"),
  // the worker raised an 'error' event, or it stalled (it was ready, owed a run its
  // "started", and said nothing for the time limit).

  var worker = null;
  var runtime = { status: "idle", progress: "", failure: "" };
  var pending = new Map(); // run id -> {block, resolve, message, started, startedAt, retried}
  var nextId = 1;
  var watchdog = null;
  var owedSince = 0; // since when the worker owes us a message about the first run
  var workers = 0; // workers started this session (window.sima.runtime().workers)

  // A worker fetched from a URL gets its Content-Security-Policy from its own response
  // headers, which a static host does not let the site set; a worker started from a
  // blob: URL runs under the page's (the <meta> tag). So the worker is a one-line
  // module made here that imports worker.mjs; if that cannot start, worker.mjs itself.
  function spawn(viaBlob) {
    var script = new URL("worker.mjs", ASSETS).href;
    var options = { type: "module", name: "sima-python" };
    if (viaBlob && typeof Blob === "function" && window.URL && URL.createObjectURL) {
      var source = URL.createObjectURL(new Blob(["import " + JSON.stringify(script) + ";\n"],
        { type: "text/javascript" }));
      try {
        var made = new Worker(source, options);
        made.simaSource = source;
        return made;
      } catch (error) {
        URL.revokeObjectURL(source);
      }
    }
    return new Worker(script, options);
  }

  function startWorker(viaBlob) {
    runtime = { status: "loading", progress: "Downloading Python…", failure: "" };
    var current = spawn(viaBlob !== false);
    var heard = false;
    workers += 1;
    worker = current;
    current.onmessage = function (event) {
      if (current !== worker) return; // the last words of a replaced worker
      if (!heard && current.simaSource) URL.revokeObjectURL(current.simaSource);
      heard = true;
      onMessage(event.data);
    };
    current.onerror = function (event) {
      event.preventDefault();
      if (current !== worker) return;
      if (!heard && current.simaSource) { // the blob: start failed: start worker.mjs itself
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
    var load = { type: "load" };
    if (CONFIG.runtime) {
      load.runtime = Object.assign({ base: new URL("../pyodide/", ASSETS).href }, CONFIG.runtime);
    }
    if (CONFIG.snapshot) { // the worker restores it where it pays (worker.mjs says when)
      load.snapshot = new URL("../pyodide/" + CONFIG.snapshot, ASSETS).href;
      load.snapshotPyodide = CONFIG.snapshot_pyodide;
      load.policy = window.SIMA_SNAPSHOT; // "always" or "never": the benchmark's override
      load.keep = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
    }
    current.postMessage(load);
  }

  function prefetch() {
    if (!worker) startWorker();
  }

  // Work that waits for Python to be loaded (or to have failed to load).
  var afterLoad = [];
  function whenLoaded(task) { afterLoad.push(task); }
  function loaded() {
    var tasks = afterLoad;
    afterLoad = [];
    tasks.forEach(function (task) { task(); });
  }

  function send(run) {
    run.started = false;
    worker.postMessage(run.message);
  }

  function head() {
    var first = null;
    pending.forEach(function (run) { if (!first) first = run; });
    return first;
  }

  // One timer for the worker: the time limit of the run it started, or how long it
  // may stay silent while it owes the first queued run its "started".
  function watch() {
    clearTimeout(watchdog);
    watchdog = null;
    var run = head();
    if (!run) return;
    var limit = CONFIG.timeout * 1000;
    if (run.started) {
      watchdog = setTimeout(function () { timeOut(run); }, run.startedAt + limit - performance.now());
    } else if (runtime.status === "ready") {
      watchdog = setTimeout(function () { stalled(run); }, owedSince + limit - performance.now());
    }
  }

  function retire(run) {
    pending.delete(run.message.id);
    if (!pending.size) clearTimeout(watchdog);
  }

  // Terminate the worker and start a new one: the run it was running (if any) ends
  // with `reason`; the runs it had not started go to the new worker.
  function replace(reason) {
    if (worker) worker.terminate();
    worker = null;
    pending.forEach(function (run) {
      if (!run.started) return;
      retire(run);
      finish(run, { state: "error", text: reason + " Python was restarted, so the next run starts fresh.", result: null });
    });
    startWorker();
    owedSince = performance.now();
    pending.forEach(send);
    watch();
  }

  function onMessage(message) {
    var run = pending.get(message.id);
    owedSince = performance.now();
    switch (message.type) {
      case "progress":
        runtime.progress = message.text;
        pending.forEach(function (r) { setStatus(r.block, message.text); });
        break;
      case "ready":
        runtime.status = "ready";
        console.info("sima: Python ready in " + message.ms + " ms" +
          (message.snapshot ? " (from the snapshot: " + message.snapshot + ")" : ""));
        pending.forEach(function (r) { setStatus(r.block, "Running…"); });
        if (window.simaOffline && message.fetched) window.simaOffline.keep(message.fetched);
        loaded();
        break;
      case "load-error":
        runtime.status = "failed";
        runtime.failure = "Could not " + message.stage + ": " + message.message;
        pending.forEach(function (r) {
          retire(r);
          finish(r, { state: "error", text: runtime.failure, result: null, retry: true });
        });
        loaded();
        break;
      case "started":
        if (run) {
          run.started = true;
          run.startedAt = performance.now();
          setStatus(run.block, "Running…");
        }
        break;
      case "result":
        if (run) {
          retire(run);
          finish(run, { state: message.result.status === "error" ? "error" : "ok", result: message.result });
        }
        break;
      case "run-error":
      case "fatal":
        // Python may still answer after a run-error, but whatever broke the runner
        // may break the next run too: start afresh either way.
        if (run) {
          retire(run);
          finish(run, { state: "error", text: message.text + " Python was restarted, so the next run starts fresh.", result: null });
        }
        replace("Interrupted: Python had to be restarted.");
        return;
    }
    watch();
  }

  function timeOut(run) {
    if (pending.get(run.message.id) !== run) return;
    retire(run);
    finish(run, {
      state: "timeout",
      text: "Stopped after " + CONFIG.timeout + " s: the code did not finish (an endless loop?). " +
        "Python was restarted, so the next run starts fresh.",
      result: null,
    });
    replace("Interrupted because another snippet hit the time limit.");
  }

  function stalled(run) {
    if (pending.get(run.message.id) !== run || run.started) return;
    console.warn("sima: Python did not answer for " + CONFIG.timeout + " s; restarting it");
    if (run.retried) {
      retire(run);
      finish(run, {
        state: "error",
        text: "Python did not answer for " + CONFIG.timeout + " s, even after a restart. Run it again.",
        result: null,
      });
    }
    run.retried = true;
    replace("Interrupted: Python had to be restarted.");
  }

  // Forget the block's queued or running runs (before a new run, Stop or Reset).
  // True when one of them was running, so the worker must be replaced.
  function drop(block, outcome) {
    var running = false;
    pending.forEach(function (run, id) {
      if (run.block !== block) return;
      if (run.started) running = true;
      else if (worker) worker.postMessage({ type: "cancel", id: id });
      retire(run);
      if (outcome) finish(run, outcome);
    });
    return running;
  }

  // -- one block ---------------------------------------------------------------------
  //
  // A block shows the static code the build highlighted until the reader reaches for
  // it: focuses it (click or Tab), or presses Run (or a test calls setCode). Only then
  // are the snippet's data and the editor bundle loaded, and the editor takes the
  // static code's place in the same frame, at the same height (what follows it does
  // not move), with the caret where the reader clicked. Hovering a block loads both
  // ahead, without touching the page.

  var editorModule = null;
  function loadEditor() {
    if (!editorModule) editorModule = import(new URL("../vendor/editor.js", ASSETS).href);
    return editorModule;
  }

  var payloads = new Map();
  function payloadUrl(block) {
    var refId = block.dataset.snippet.split("/")[0];
    return new URL("lab/" + refId + ".json", ASSETS).href;
  }
  function loadPayload(url) {
    if (!payloads.has(url)) {
      var loading = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.json();
      });
      loading.catch(function () { payloads.delete(url); }); // a later attempt fetches again
      payloads.set(url, loading);
    }
    return payloads.get(url);
  }

  function preload(block) {
    loadEditor().catch(function () {});
    loadPayload(payloadUrl(block)).catch(function () {});
  }

  function name(block) { return block.dataset.snippet.split("/").slice(1).join("/"); }

  function button(action, label, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "md-button sima-action sima-action--" + action;
    b.dataset.action = action;
    b.textContent = label;
    if (title) b.title = title;
    return b;
  }

  function setStatus(block, text) {
    var status = block.querySelector(".sima-run__status");
    if (status) status.textContent = text;
  }

  function staticCode(block) {
    return block.querySelector(":scope > .highlight"); // (the trace has one too)
  }

  // The code as the page shows it (before any editor): the text of its <code>.
  function staticText(block) {
    var code = staticCode(block);
    var text = code && code.querySelector("td.code code, pre code");
    return text ? text.textContent : "";
  }

  function mount(block, module, source, at) {
    var ui = block.sima;
    var code = staticCode(block);
    var host = document.createElement("div");
    host.className = "sima-editor";
    var label = "Code of " + name(block) + ".py (Ctrl+Enter runs, Esc leaves the editor)";
    if (module) {
      // The editor shows the lines the static code shows: the file's final newline
      // (an empty last line in an editor) is kept out of it and given back in getValue.
      var shown = function (text) { return text.replace(/\n$/, ""); };
      var made = module.createEditor(host, shown(source), {
        label: label,
        describedBy: ui.hintId,
        onRun: function () { run(block); },
        onEscape: function () { ui.runButton.focus(); },
      });
      ui.editor = {
        view: made.view,
        getValue: function () { return made.getValue() + "\n"; },
        setValue: function (t) { made.setValue(shown(t)); },
        focus: made.focus,
      };
    } else {
      var area = document.createElement("textarea"); // the editor bundle failed to load
      area.value = source;
      area.setAttribute("aria-label", label);
      area.setAttribute("aria-describedby", ui.hintId);
      area.spellcheck = false;
      area.rows = source.split("\n").length;
      area.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(block); }
        if (e.key === "Escape") ui.runButton.focus();
      });
      host.appendChild(area);
      ui.editor = {
        getValue: function () { return area.value; },
        setValue: function (t) { area.value = t; },
        focus: function () { area.focus(); },
      };
    }
    if (!code) {
      ui.toolbar.after(host);
      return;
    }
    // The editor goes where the static lines were, inside the highlighted table (its
    // file name and margins stay), with the same line pitch, padding and gutter width.
    // The swap is one task (no frame between); any height the editor still lacks is
    // given back below it, so that nothing after the code moves.
    var before = block.getBoundingClientRect().height;
    var lines = code.querySelector("td.code");
    var row = lines && lines.closest("tr");
    if (row) {
      var numbers = code.querySelector("td.linenos");
      if (numbers) host.style.setProperty("--sima-gutter", numbers.getBoundingClientRect().width + "px");
      host.classList.add("sima-editor--inline");
      var cell = document.createElement("td");
      cell.colSpan = 2;
      cell.className = "sima-editor-cell";
      cell.appendChild(host);
      var editorRow = document.createElement("tr");
      editorRow.appendChild(cell);
      row.after(editorRow);
      row.hidden = true;
    } else {
      var title = code.querySelector(".filename");
      if (title) {
        var caption = document.createElement("div");
        caption.className = "sima-editor__title";
        caption.textContent = title.textContent;
        host.prepend(caption);
      }
      code.after(host);
      code.hidden = true;
    }
    code.removeAttribute("tabindex"); // the editor is the stop now
    var short = before - block.getBoundingClientRect().height;
    if (short > 0.5) {
      var margin = parseFloat(getComputedStyle(host).marginBottom) || 0;
      host.style.marginBottom = margin + short + "px";
    }
    if (at && ui.editor.view) {
      var view = ui.editor.view;
      var pos = view.posAtCoords({ x: at.x, y: at.y });
      if (pos != null) view.dispatch({ selection: { anchor: pos } });
    }
    if (at) ui.editor.focus();
  }

  // The editor, mounted once (a promise). `at`: where the reader clicked or focused
  // ({x, y} in the viewport; {} for the keyboard), so the editor takes the focus.
  function editing(block, at) {
    var ui = block.sima;
    if (!ui.ready) {
      ui.ready = Promise.all([
        loadPayload(payloadUrl(block)),
        loadEditor().catch(function () { return null; }),
      ])
        .then(function (loaded) {
          ui.source = loaded[0].files[name(block)];
          mount(block, loaded[1], ui.source, ui.reachedAt || at);
        })
        .catch(function (error) {
          ui.ready = null; // the next attempt tries again
          setStatus(block, "This snippet cannot run here: " + error.message);
        });
    }
    if (at && (!ui.reachedAt || at.x !== undefined)) ui.reachedAt = at; // a click's place wins
    return ui.ready;
  }

  function enhance(block) {
    if (block.sima) return;
    var ui = { editor: null, source: null, ready: null, reachedAt: null };
    block.sima = ui;

    var toolbar = document.createElement("div");
    toolbar.className = "sima-toolbar";
    ui.runButton = button("run", "Run", "Run this snippet in the lab (Ctrl+Enter in the editor)");
    var stop = button("stop", "Stop", "Stop the run and restart Python");
    stop.disabled = true;
    ui.stopButton = stop;
    toolbar.append(ui.runButton, stop, button("reset", "Reset", "Put the original code back"),
      button("copy", "Copy", "Copy the code"));
    ui.toolbar = toolbar;
    block.querySelector(".sima-claim").after(toolbar);
    // How to use and leave the editor: beside the buttons, and said with the code
    // (aria-describedby).
    var mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
    var hint = document.createElement("span");
    hint.className = "sima-run__hint";
    hint.id = ui.hintId = "sima-hint-" + block.dataset.snippet.replace(/[^A-Za-z0-9_-]/g, "-");
    hint.textContent = "Keys: " + (mac ? "⌘+Enter" : "Ctrl+Enter") + " runs; Esc: back to Run; " +
      (mac ? "Shift+Alt+M" : "Ctrl+M") + ": Tab moves on, not indents";
    toolbar.append(hint);

    var region = document.createElement("div");
    region.className = "sima-run";
    region.setAttribute("role", "log");
    region.setAttribute("aria-live", "polite");
    // Only the status line is announced (the verdict, once); the report is a named
    // region to read and scroll, in the tab order after the editor.
    region.innerHTML = '<p class="sima-run__status"></p><pre class="sima-run__output" hidden ' +
      'tabindex="0" role="region" aria-live="off"></pre>';
    region.lastChild.setAttribute("aria-label", "Output of " + name(block) + ".py");
    var trace = block.querySelector(".sima-trace");
    (trace || block.lastElementChild).before(region);

    toolbar.addEventListener("click", function (event) {
      var target = event.target.closest("[data-action]");
      if (!target) return;
      var action = target.dataset.action;
      if (action === "run") run(block);
      else if (action === "stop") stopRun(block);
      else if (action === "reset") reset(block);
      else if (action === "copy") copy(block, target);
      else if (action === "retry") run(block);
    });
    ui.runButton.addEventListener("pointerenter", prefetch);
    ui.runButton.addEventListener("focus", prefetch);
    block.addEventListener("pointerenter", function () { preload(block); });

    // The static code is one focusable region: reaching it makes it the editor.
    var code = staticCode(block);
    if (code) {
      code.tabIndex = 0;
      code.setAttribute("role", "region");
      code.setAttribute("aria-label", "Code of " + name(block) + ".py (focus it to edit)");
      code.setAttribute("aria-describedby", ui.hintId);
      code.addEventListener("pointerdown", function (event) {
        if (ui.editor || event.button !== 0 || event.target.closest("a, button")) return;
        // No focus on the static code: the editor takes it, where the click was.
        event.preventDefault();
        editing(block, { x: event.clientX, y: event.clientY });
      });
      code.addEventListener("focusin", function (event) {
        // The block itself, or the scroller inside it (Material's, sima.js's tab stop).
        if (ui.editor || (event.target !== code && !event.target.matches("pre > code"))) return;
        editing(block, {});
      });
    }
  }

  var STOPPED = { state: "error", text: "Stopped. Python was restarted, so the next run starts fresh.", result: null };

  function run(block) {
    var ui = block.sima;
    if (runtime.status === "failed") { if (worker) worker.terminate(); worker = null; }
    prefetch(); // Python starts loading now
    // The editor takes the code's place now if its bundle is here, else once Python is
    // (the bundle would share the network with Python's download); until then the
    // code to run is the snippet's own.
    if (editorModule || runtime.status === "ready") editing(block);
    else whenLoaded(function () { editing(block); });
    var source = ui.editor ? Promise.resolve() : loadPayload(payloadUrl(block)).then(function (data) {
      if (ui.source === null) ui.source = data.files[name(block)];
    });
    return source.then(function () {
      var code = ui.editor ? ui.editor.getValue() : ui.source;
      if (typeof code !== "string") return null;
      if (drop(block, STOPPED)) replace("Interrupted because another run was stopped.");
      block.dataset.state = "running";
      delete block.dataset.verdict;
      ui.runButton.disabled = true;
      ui.stopButton.disabled = false;
      var output = block.querySelector(".sima-run__output");
      output.hidden = true;
      output.textContent = "";
      block.querySelectorAll(".sima-retry").forEach(function (b) { b.remove(); });
      setStatus(block, runtime.status === "ready" ? "Running…" : runtime.progress);
      return new Promise(function (resolve) {
        var id = nextId++;
        var queued = {
          block: block,
          resolve: resolve,
          started: false,
          message: { type: "run", id: id, payloadUrl: payloadUrl(block), name: name(block), code: code },
        };
        if (!pending.size) owedSince = performance.now();
        pending.set(id, queued);
        send(queued);
        watch();
      });
    }, function (error) {
      setStatus(block, "This snippet cannot run here: " + error.message);
      return null;
    });
  }

  function stopRun(block) {
    if (drop(block, STOPPED)) replace("Interrupted because another run was stopped.");
  }

  function named(value, failures) {
    return failures && failures.length ? value + " (" + failures.join(", ") + ")" : value;
  }

  function verdictText(result) {
    if (result.status === "error") return "The check could not run: " + result.message;
    var seen = result.observed_failures || [];
    var head = "Verdict: " + named(result.observed, seen) + ". ";
    if (result.status === "pass") return head + "The lab observed what the claim says (" + named(result.declared, result.fails) + ").";
    if (result.observed === "good") {
      return head + "The claim says " + result.declared + ", but this code passes the check: your change fixed the pattern.";
    }
    if (result.declared === "bad") {
      return head + "The claim says it goes wrong with " + (result.fails || []).join(", ") +
        ", but this code goes wrong in another way: " + result.message;
    }
    return head + "The claim says " + result.declared + ", but this code fails the check: " + result.message;
  }

  function finish(run, outcome) {
    var block = run.block;
    var ui = block.sima;
    block.dataset.state = outcome.state;
    ui.runButton.disabled = false;
    ui.stopButton.disabled = true;
    var output = block.querySelector(".sima-run__output");
    if (outcome.result) {
      block.dataset.verdict = outcome.result.observed || "";
      if (!outcome.result.observed) delete block.dataset.verdict;
      setStatus(block, verdictText(outcome.result));
      var text = "";
      if (outcome.result.output) text += "Output (by invocation)\n" + outcome.result.output + "\n";
      text += outcome.result.report;
      output.textContent = text; // text, never HTML
      output.hidden = false;
      announce(block, "sima:result", outcome.result); // timeline.js redraws the picture
    } else {
      setStatus(block, outcome.text);
      if (outcome.retry) {
        var retry = button("retry", "Retry", "Try loading Python again");
        retry.classList.add("sima-retry");
        ui.toolbar.append(retry);
      }
    }
    run.resolve(outcome.result ? Object.assign({ state: outcome.state }, outcome.result)
      : { state: outcome.state, message: outcome.text });
  }

  function reset(block) {
    var ui = block.sima;
    return (ui.ready || Promise.resolve()).then(function () {
      stopRun(block);
      if (ui.editor) ui.editor.setValue(ui.source);
      delete block.dataset.state;
      delete block.dataset.verdict;
      setStatus(block, "");
      block.querySelector(".sima-run__output").hidden = true;
      announce(block, "sima:reset", null);
    });
  }

  function announce(block, type, detail) {
    block.dispatchEvent(new CustomEvent(type, { bubbles: true, detail: detail }));
  }

  function copy(block, target) {
    var ui = block.sima;
    var text = ui.editor ? ui.editor.getValue() : ui.source || staticText(block);
    var done = function (ok) {
      target.textContent = ok ? "Copied" : "Copy failed";
      setTimeout(function () { target.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      done(ok);
    }
  }

  // -- prefetch on view (after the reader scrolls) ---------------------------------

  var visible = new Set();
  var scrolled = false;
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) visible.add(e.target); else visible.delete(e.target); });
    if (scrolled && visible.size) prefetch();
  }) : null;
  window.addEventListener("scroll", function () {
    scrolled = true;
    if (visible.size) prefetch();
  }, { passive: true });

  function onPage() {
    visible.clear();
    if (observer) observer.disconnect();
    document.querySelectorAll(".sima-snippet[data-snippet]").forEach(function (block) {
      enhance(block);
      if (observer) observer.observe(block);
    });
  }

  window.sima = {
    run: function (block) { return run(block); },
    setCode: function (block, text) {
      return editing(block).then(function () { block.sima.editor.setValue(text); });
    },
    stop: function (block) { stopRun(block); return Promise.resolve(); },
    reset: function (block) { return reset(block); },
    runtime: function () { return Object.assign({ workers: workers }, runtime); },
  };

  if (typeof document$ !== "undefined") document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
