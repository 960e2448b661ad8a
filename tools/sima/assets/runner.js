// Run snippets in the page: an editor per snippet, and one Python worker per session.
//
// Contract for tests (see DESIGN.md, "Stable hooks"): each block carries
// data-snippet and data-claim; its buttons data-action="run|stop|reset|copy"; its
// output region role="log" aria-live="polite"; after a run, data-state is ok, error
// or timeout, and data-verdict is what the check observed. window.sima.setCode(block,
// text) and window.sima.run(block) return promises.
//
// Nothing of Pyodide is fetched on page load. The worker starts when a snippet
// scrolls into view after the reader scrolls, when the pointer or focus reaches Run,
// or on the first run. It lives across mkdocs-material's instant navigation.
(function () {
  "use strict";

  var ASSETS = new URL(".", document.currentScript.src); // .../assets/sima/
  var CONFIG = Object.assign({ timeout: 10 }, window.SIMA_CONFIG || {});

  // -- the worker ------------------------------------------------------------------

  var worker = null;
  var runtime = { status: "idle", progress: "", failure: "" };
  var pending = new Map(); // run id -> {block, resolve, timer}
  var nextId = 1;

  function startWorker() {
    runtime = { status: "loading", progress: "Starting Python…", failure: "" };
    worker = new Worker(new URL("worker.mjs", ASSETS), { type: "module", name: "sima-python" });
    worker.onmessage = function (event) { onMessage(event.data); };
    worker.onerror = function (event) {
      event.preventDefault();
      onMessage({ type: "load-error", stage: "start the worker", message: event.message || "unknown error" });
    };
    var load = { type: "load" };
    if (CONFIG.snapshot) {
      load.snapshot = new URL("../pyodide/" + CONFIG.snapshot, ASSETS).href;
      load.snapshotPyodide = CONFIG.snapshot_pyodide;
    }
    worker.postMessage(load);
  }

  function prefetch() {
    if (!worker) startWorker();
  }

  function restartWorker(reason) {
    if (worker) worker.terminate();
    worker = null;
    pending.forEach(function (run, id) {
      clearTimeout(run.timer);
      pending.delete(id);
      if (run.stopping) return;
      finish(run, { state: "error", text: reason, result: null });
    });
    startWorker();
  }

  function onMessage(message) {
    var run = pending.get(message.id);
    switch (message.type) {
      case "progress":
        runtime.progress = message.text;
        pending.forEach(function (r) { setStatus(r.block, message.text); });
        break;
      case "ready":
        runtime.status = "ready";
        console.info("sima: Python ready in " + message.ms + " ms" + (message.snapshot ? " (from the snapshot)" : ""));
        pending.forEach(function (r) { setStatus(r.block, "Running…"); });
        break;
      case "load-error":
        runtime.status = "failed";
        runtime.failure = "Could not " + message.stage + ": " + message.message;
        pending.forEach(function (r, id) {
          pending.delete(id);
          finish(r, { state: "error", text: runtime.failure, result: null, retry: true });
        });
        break;
      case "started":
        if (run) {
          setStatus(run.block, "Running…");
          run.timer = setTimeout(function () { timeOut(message.id); }, CONFIG.timeout * 1000);
        }
        break;
      case "result":
        if (run) {
          pending.delete(message.id);
          clearTimeout(run.timer);
          finish(run, { state: message.result.status === "error" ? "error" : "ok", result: message.result });
        }
        break;
      case "run-error":
        if (run) {
          pending.delete(message.id);
          clearTimeout(run.timer);
          finish(run, { state: "error", text: "The runner failed: " + message.message, result: null });
        }
        break;
    }
  }

  function timeOut(id) {
    var run = pending.get(id);
    if (!run) return;
    pending.delete(id);
    finish(run, {
      state: "timeout",
      text: "Stopped after " + CONFIG.timeout + " s: the code did not finish (an endless loop?). " +
        "Python was restarted, so the next run starts fresh.",
      result: null,
    });
    restartWorker("Interrupted because another snippet hit the time limit. Run it again.");
  }

  // -- one block ---------------------------------------------------------------------

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
      payloads.set(url, fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.json();
      }));
    }
    return payloads.get(url);
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

  function mount(block, module, source) {
    var ui = block.sima;
    var code = block.querySelector(".highlight");
    var host = document.createElement("div");
    host.className = "sima-editor";
    var label = "Code of " + name(block) + ".py (Ctrl+Enter runs, Esc leaves the editor)";
    if (module) {
      ui.editor = module.createEditor(host, source, {
        label: label,
        onRun: function () { run(block); },
        onEscape: function () { ui.runButton.focus(); },
      });
    } else {
      var area = document.createElement("textarea"); // the editor bundle failed to load
      area.value = source;
      area.setAttribute("aria-label", label);
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
    if (code) {
      var title = code.querySelector(".filename");
      if (title) {
        var caption = document.createElement("div");
        caption.className = "sima-editor__title";
        caption.textContent = title.textContent;
        host.prepend(caption);
      }
      code.hidden = true;
      code.after(host);
    } else {
      ui.toolbar.after(host);
    }
  }

  function enhance(block) {
    if (block.sima) return;
    var ui = { editor: null, source: null, ready: null };
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

    var region = document.createElement("div");
    region.className = "sima-run";
    region.setAttribute("role", "log");
    region.setAttribute("aria-live", "polite");
    region.innerHTML = '<p class="sima-run__status"></p><pre class="sima-run__output" hidden></pre>';
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

    var url = payloadUrl(block);
    ui.ready = Promise.all([loadPayload(url), loadEditor().catch(function () { return null; })])
      .then(function (loaded) {
        ui.source = loaded[0].files[name(block)];
        mount(block, loaded[1], ui.source);
      })
      .catch(function (error) {
        setStatus(block, "This snippet cannot run here: " + error.message);
        ui.runButton.disabled = true;
      });
  }

  function run(block) {
    var ui = block.sima;
    return ui.ready.then(function () {
      if (!ui.editor) return null;
      if (runtime.status === "failed") { if (worker) worker.terminate(); worker = null; }
      prefetch();
      pending.forEach(function (r, id) {
        if (r.block === block) { pending.delete(id); clearTimeout(r.timer); }
      });
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
        pending.set(id, { block: block, resolve: resolve, timer: null });
        worker.postMessage({
          type: "run", id: id, payloadUrl: payloadUrl(block), name: name(block), code: ui.editor.getValue(),
        });
      });
    });
  }

  function stopRun(block) {
    var stopped = false;
    pending.forEach(function (r, id) {
      if (r.block !== block) return;
      stopped = true;
      pending.delete(id);
      clearTimeout(r.timer);
      finish(r, { state: "error", text: "Stopped. Python was restarted, so the next run starts fresh.", result: null });
    });
    if (stopped) restartWorker("Interrupted because another run was stopped. Run it again.");
  }

  function verdictText(result) {
    if (result.status === "error") return "The check could not run: " + result.message;
    var agrees = result.observed === result.declared;
    var head = "Verdict: " + result.observed + ". ";
    if (agrees) return head + "The lab observed what the claim says (" + result.declared + ").";
    if (result.observed === "good") {
      return head + "The claim says " + result.declared + ", but this code passes the check: your change fixed the pattern.";
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
    return ui.ready.then(function () {
      stopRun(block);
      if (ui.editor) ui.editor.setValue(ui.source);
      delete block.dataset.state;
      delete block.dataset.verdict;
      setStatus(block, "");
      block.querySelector(".sima-run__output").hidden = true;
    });
  }

  function copy(block, target) {
    var text = block.sima.editor ? block.sima.editor.getValue() : block.sima.source || "";
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
      return block.sima.ready.then(function () { block.sima.editor.setValue(text); });
    },
    stop: function (block) { stopRun(block); return Promise.resolve(); },
    reset: function (block) { return reset(block); },
    runtime: function () { return Object.assign({}, runtime); },
  };

  if (typeof document$ !== "undefined") document$.subscribe(onPage);
  else document.addEventListener("DOMContentLoaded", onPage);
})();
