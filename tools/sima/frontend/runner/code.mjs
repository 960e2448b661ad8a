// A block's code: the static code the build highlighted until the reader reaches for
// it (focuses it, by click or Tab, or presses Run, or a test calls setCode); only then
// are the snippet's data and the editor bundle (assets/vendor/editor.js, built from
// editor.mjs, imported on demand) loaded, and the editor takes the static code's place
// in the same frame, at the same height (what follows it does not move), with the
// caret where the reader clicked. Without the editor bundle, a plain textarea.
//
// The block's state is `block.sima` (made by blocks.mjs): editor, source (the
// snippet's own code), ready (the editor's promise), reachedAt, runButton, hintId,
// toolbar, and run() (what Ctrl+Enter does).

import { ASSETS } from "../page.mjs";
import { loadPayload, payloadUrl, snippetName } from "./snippet-data.mjs";
import { setStatus } from "./verdict.mjs";

let editorModule = null;

/** The editor bundle (a promise, imported once). */
export function loadEditor() {
  if (!editorModule) editorModule = import(new URL("../vendor/editor.js", ASSETS).href);
  return editorModule;
}

/** Whether the editor bundle was asked for already (so it shares no download with Python's). */
export function editorRequested() {
  return editorModule !== null;
}

/** The block's highlighted code, as the build wrote it (the trace has one too). */
export function staticCode(block) {
  return block.querySelector(":scope > .highlight");
}

/** The code as the page shows it (before any editor): the text of its <code>. */
export function staticText(block) {
  const code = staticCode(block);
  const text = code && code.querySelector("td.code code, pre code");
  return text ? text.textContent : "";
}

function codeMirror(module, host, source, ui, label) {
  // The editor shows the lines the static code shows: the file's final newline
  // (an empty last line in an editor) is kept out of it and given back in getValue.
  const shown = (text) => text.replace(/\n$/, "");
  const made = module.createEditor(host, shown(source), {
    label,
    describedBy: ui.hintId,
    onRun: () => ui.run(),
    onEscape: () => ui.runButton.focus(),
  });
  return {
    view: made.view,
    getValue: () => made.getValue() + "\n",
    setValue: (t) => made.setValue(shown(t)),
    focus: made.focus,
  };
}

function textArea(host, source, ui, label) {
  const area = document.createElement("textarea"); // the editor bundle failed to load
  area.value = source;
  area.setAttribute("aria-label", label);
  area.setAttribute("aria-describedby", ui.hintId);
  area.spellcheck = false;
  area.rows = source.split("\n").length;
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      ui.run();
    }
    if (e.key === "Escape") ui.runButton.focus();
  });
  host.appendChild(area);
  return {
    getValue: () => area.value,
    setValue: (t) => {
      area.value = t;
    },
    focus: () => area.focus(),
  };
}

// The editor goes where the static lines were, inside the highlighted table (its
// file name and margins stay), with the same line pitch, padding and gutter width.
// The swap is one task (no frame between); any height the editor still lacks is
// given back below it, so that nothing after the code moves.
function swapIn(block, code, host) {
  const before = block.getBoundingClientRect().height;
  const lines = code.querySelector("td.code");
  const row = lines && lines.closest("tr");
  if (row) {
    const numbers = code.querySelector("td.linenos");
    if (numbers) host.style.setProperty("--sima-gutter", numbers.getBoundingClientRect().width + "px");
    host.classList.add("sima-editor--inline");
    const cell = document.createElement("td");
    cell.colSpan = 2;
    cell.className = "sima-editor-cell";
    cell.appendChild(host);
    const editorRow = document.createElement("tr");
    editorRow.appendChild(cell);
    row.after(editorRow);
    row.hidden = true;
  } else {
    const title = code.querySelector(".filename");
    if (title) {
      const caption = document.createElement("div");
      caption.className = "sima-editor__title";
      caption.textContent = title.textContent;
      host.prepend(caption);
    }
    code.after(host);
    code.hidden = true;
  }
  code.removeAttribute("tabindex"); // the editor is the stop now
  const short = before - block.getBoundingClientRect().height;
  if (short > 0.5) {
    const margin = parseFloat(getComputedStyle(host).marginBottom) || 0;
    host.style.marginBottom = margin + short + "px";
  }
}

function mount(block, module, source, at) {
  const ui = block.sima;
  const code = staticCode(block);
  const host = document.createElement("div");
  host.className = "sima-editor";
  const label = "Code of " + snippetName(block) + ".py (Ctrl+Enter runs, Esc leaves the editor)";
  ui.editor = module ? codeMirror(module, host, source, ui, label) : textArea(host, source, ui, label);
  if (!code) {
    ui.toolbar.after(host);
    return;
  }
  swapIn(block, code, host);
  if (at && ui.editor.view) {
    const view = ui.editor.view;
    const pos = view.posAtCoords({ x: at.x, y: at.y });
    if (pos !== null) view.dispatch({ selection: { anchor: pos } });
  }
  if (at) ui.editor.focus();
}

/** The editor, mounted once (a promise). `at`: where the reader clicked or focused
 * ({x, y} in the viewport; {} for the keyboard), so the editor takes the focus. */
export function editing(block, at) {
  const ui = block.sima;
  if (!ui.ready) {
    ui.ready = Promise.all([loadPayload(payloadUrl(block)), loadEditor().catch(() => null)])
      .then(([data, module]) => {
        ui.source = data.files[snippetName(block)];
        mount(block, module, ui.source, ui.reachedAt || at);
      })
      .catch((error) => {
        ui.ready = null; // the next attempt tries again
        setStatus(block, "This snippet cannot run here: " + error.message);
      });
  }
  if (at && (!ui.reachedAt || at.x !== undefined)) ui.reachedAt = at; // a click's place wins
  return ui.ready;
}
