// Previews of ID links: hovering or focusing an `a.sima-ref[data-ref]` shows the
// entry's ID, title, type and summary (from the ID index) in one tooltip below it,
// which Escape, leaving the link or the next page view hides.

import { loadIndex } from "./ids.mjs";

let tip = null;
let current = null;
let wanted = null; // the link the pointer or focus is on now (the index loads async)

function fill(entry) {
  if (!tip) {
    tip = document.createElement("div");
    tip.className = "sima-preview md-typeset";
    tip.id = "sima-preview";
    tip.setAttribute("role", "tooltip");
    document.body.append(tip);
  }
  tip.textContent = "";
  const title = document.createElement("strong");
  title.textContent = entry.id + ": " + entry.title;
  const kind = document.createElement("span");
  kind.className = "sima-preview__type";
  kind.textContent = entry.type + (entry.planned ? " (planned)" : "");
  tip.append(title, kind);
  if (entry.summary) {
    const summary = document.createElement("p");
    summary.textContent = entry.summary;
    tip.append(summary);
  }
}

function show(link) {
  wanted = link;
  loadIndex().then((data) => {
    if (wanted !== link) return; // left before the index arrived
    const entry = data.entries.find((e) => e.id === link.dataset.ref);
    if (!entry) return;
    fill(entry);
    if (link.title) {
      link.dataset.title = link.title;
      link.removeAttribute("title");
    }
    link.setAttribute("aria-describedby", "sima-preview");
    const box = link.getBoundingClientRect();
    const right = window.scrollX + document.documentElement.clientWidth - 340;
    tip.style.left = Math.max(8, Math.min(window.scrollX + box.left, right)) + "px";
    tip.style.top = window.scrollY + box.bottom + 6 + "px";
    tip.hidden = false;
    current = link;
  });
}

/** Hide the preview (on every page view too). */
export function hidePreview() {
  wanted = null;
  if (tip) tip.hidden = true;
  if (current) current.removeAttribute("aria-describedby");
  current = null;
}

function refLink(target) {
  return target.closest ? target.closest("a.sima-ref[data-ref]") : null;
}

/** Listen to the pointer, the focus and Escape (once, on the document). */
export function listenToPreviews() {
  document.addEventListener("mouseover", (e) => {
    const link = refLink(e.target);
    if (link && link !== current) show(link);
  });
  document.addEventListener("mouseout", (e) => {
    const link = refLink(e.target);
    if (link && !link.contains(e.relatedTarget)) hidePreview();
  });
  document.addEventListener("focusin", (e) => {
    const link = refLink(e.target);
    if (link) show(link);
  });
  document.addEventListener("focusout", (e) => {
    if (refLink(e.target)) hidePreview();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hidePreview();
  });
}
