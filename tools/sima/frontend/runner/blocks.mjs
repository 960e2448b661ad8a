// A snippet block's controls: Run, Stop, Reset and Copy (and Retry after a failed
// load), its hint of keys, the output region, and what each does.
//
// Contract for tests (see DESIGN.md, "Stable hooks"): each block carries data-snippet
// and data-claim; its buttons data-action="run|stop|reset|copy"; its output region
// role="log" aria-live="polite"; after a run, data-state is ok, error or timeout, and
// data-verdict is what the check observed. After a run the block gets a `sima:result`
// event (detail: the run's result), after Reset a `sima:reset`: timeline.mjs redraws
// the block's timeline from them.

import { editing, editorRequested, loadEditor, staticCode, staticText } from "./code.mjs";
import { loadPayload, payloadUrl, snippetName } from "./snippet-data.mjs";
import { setStatus, verdictText } from "./verdict.mjs";
import { drop, forgetFailed, prefetch, replace, runtimeState, submit, whenLoaded } from "./worker-client.mjs";

const STOPPED = { state: "error", text: "Stopped. Python was restarted, so the next run starts fresh.", result: null };

function button(action, label, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "md-button sima-action sima-action--" + action;
  b.dataset.action = action;
  b.textContent = label;
  if (title) b.title = title;
  return b;
}

function announce(block, type, detail) {
  block.dispatchEvent(new CustomEvent(type, { bubbles: true, detail }));
}

function preload(block) {
  loadEditor().catch(() => {});
  loadPayload(payloadUrl(block)).catch(() => {});
}

function finish(block, resolve, outcome) {
  const ui = block.sima;
  block.dataset.state = outcome.state;
  ui.runButton.disabled = false;
  ui.stopButton.disabled = true;
  const output = block.querySelector(".sima-run__output");
  if (outcome.result) {
    block.dataset.verdict = outcome.result.observed || "";
    if (!outcome.result.observed) delete block.dataset.verdict;
    setStatus(block, verdictText(outcome.result));
    let text = "";
    if (outcome.result.output) text += "Output (by invocation)\n" + outcome.result.output + "\n";
    text += outcome.result.report;
    output.textContent = text; // text, never HTML
    output.hidden = false;
    announce(block, "sima:result", outcome.result); // timeline.mjs redraws the picture
  } else {
    setStatus(block, outcome.text);
    if (outcome.retry) {
      const retry = button("retry", "Retry", "Try loading Python again");
      retry.classList.add("sima-retry");
      ui.toolbar.append(retry);
    }
  }
  resolve(
    outcome.result ? { state: outcome.state, ...outcome.result } : { state: outcome.state, message: outcome.text },
  );
}

/** Run the block's code (the editor's, or the snippet's own before any editor):
 * a promise of the run's result with its `state`, or null when it could not start. */
export function run(block) {
  const ui = block.sima;
  forgetFailed();
  prefetch(); // Python starts loading now
  // The editor takes the code's place now if its bundle is here, else once Python is
  // (the bundle would share the network with Python's download); until then the
  // code to run is the snippet's own.
  if (editorRequested() || runtimeState().status === "ready") editing(block);
  else whenLoaded(() => editing(block));
  const source = ui.editor
    ? Promise.resolve()
    : loadPayload(payloadUrl(block)).then((data) => {
        if (ui.source === null) ui.source = data.files[snippetName(block)];
      });
  return source.then(
    () => {
      const code = ui.editor ? ui.editor.getValue() : ui.source;
      if (typeof code !== "string") return null;
      if (drop(block, STOPPED)) replace("Interrupted because another run was stopped.");
      block.dataset.state = "running";
      delete block.dataset.verdict;
      ui.runButton.disabled = true;
      ui.stopButton.disabled = false;
      const output = block.querySelector(".sima-run__output");
      output.hidden = true;
      output.textContent = "";
      block.querySelectorAll(".sima-retry").forEach((b) => b.remove());
      const state = runtimeState();
      setStatus(block, state.status === "ready" ? "Running…" : state.progress);
      return new Promise((resolve) => {
        submit({
          owner: block,
          message: { type: "run", payloadUrl: payloadUrl(block), name: snippetName(block), code },
          status: (text) => setStatus(block, text),
          end: (outcome) => finish(block, resolve, outcome),
        });
      });
    },
    (error) => {
      setStatus(block, "This snippet cannot run here: " + error.message);
      return null;
    },
  );
}

/** Stop the block's run (Python restarts when one was running). */
export function stopRun(block) {
  if (drop(block, STOPPED)) replace("Interrupted because another run was stopped.");
}

/** Put the snippet's own code back and clear the verdict (a promise). */
export function reset(block) {
  const ui = block.sima;
  return (ui.ready || Promise.resolve()).then(() => {
    stopRun(block);
    if (ui.editor) ui.editor.setValue(ui.source);
    delete block.dataset.state;
    delete block.dataset.verdict;
    setStatus(block, "");
    block.querySelector(".sima-run__output").hidden = true;
    announce(block, "sima:reset", null);
  });
}

function copy(block, target) {
  const ui = block.sima;
  const text = ui.editor ? ui.editor.getValue() : ui.source || staticText(block);
  const done = (ok) => {
    target.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => {
      target.textContent = "Copy";
    }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(
      () => done(true),
      () => done(false),
    );
  } else {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    let ok;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    done(ok);
  }
}

function toolbarOf(block, ui) {
  const toolbar = document.createElement("div");
  toolbar.className = "sima-toolbar";
  ui.runButton = button("run", "Run", "Run this snippet in the lab (Ctrl+Enter in the editor)");
  const stop = button("stop", "Stop", "Stop the run and restart Python");
  stop.disabled = true;
  ui.stopButton = stop;
  toolbar.append(
    ui.runButton,
    stop,
    button("reset", "Reset", "Put the original code back"),
    button("copy", "Copy", "Copy the code"),
  );
  // How to use and leave the editor: beside the buttons, and said with the code
  // (aria-describedby).
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || "");
  const hint = document.createElement("span");
  hint.className = "sima-run__hint";
  hint.id = ui.hintId = "sima-hint-" + block.dataset.snippet.replace(/[^A-Za-z0-9_-]/g, "-");
  hint.textContent =
    "Keys: " +
    (mac ? "⌘+Enter" : "Ctrl+Enter") +
    " runs; Esc: back to Run; " +
    (mac ? "Shift+Alt+M" : "Ctrl+M") +
    ": Tab moves on, not indents";
  toolbar.append(hint);
  toolbar.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target) return;
    const action = target.dataset.action;
    if (action === "run" || action === "retry") run(block);
    else if (action === "stop") stopRun(block);
    else if (action === "reset") reset(block);
    else if (action === "copy") copy(block, target);
  });
  return toolbar;
}

function outputRegion(block) {
  const region = document.createElement("div");
  region.className = "sima-run";
  region.setAttribute("role", "log");
  region.setAttribute("aria-live", "polite");
  // Only the status line is announced (the verdict, once); the report is a named
  // region to read and scroll, in the tab order after the editor.
  region.innerHTML =
    '<p class="sima-run__status"></p><pre class="sima-run__output" hidden ' +
    'tabindex="0" role="region" aria-live="off"></pre>';
  region.lastChild.setAttribute("aria-label", "Output of " + snippetName(block) + ".py");
  return region;
}

/** Give the block its controls (once): `block.sima` holds its state. */
export function enhance(block) {
  if (block.sima) return;
  const ui = { editor: null, source: null, ready: null, reachedAt: null, run: () => run(block) };
  block.sima = ui;

  ui.toolbar = toolbarOf(block, ui);
  block.querySelector(".sima-claim").after(ui.toolbar);
  const trace = block.querySelector(".sima-trace");
  (trace || block.lastElementChild).before(outputRegion(block));

  ui.runButton.addEventListener("pointerenter", prefetch);
  ui.runButton.addEventListener("focus", prefetch);
  block.addEventListener("pointerenter", () => preload(block));

  // The static code is one focusable region: reaching it makes it the editor.
  const code = staticCode(block);
  if (code) {
    code.tabIndex = 0;
    code.setAttribute("role", "region");
    code.setAttribute("aria-label", "Code of " + snippetName(block) + ".py (focus it to edit)");
    code.setAttribute("aria-describedby", ui.hintId);
    code.addEventListener("pointerdown", (event) => {
      if (ui.editor || event.button !== 0 || event.target.closest("a, button")) return;
      // No focus on the static code: the editor takes it, where the click was.
      event.preventDefault();
      editing(block, { x: event.clientX, y: event.clientY });
    });
    code.addEventListener("focusin", (event) => {
      // The block itself, or the scroller inside it (Material's, site/scrollers.mjs's tab stop).
      if (ui.editor || (event.target !== code && !event.target.matches("pre > code"))) return;
      editing(block, {});
    });
  }
}
