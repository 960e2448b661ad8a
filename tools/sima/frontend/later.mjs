// Parts of a snippet block a reader may never open: the trace table in its closed
// <details>, and the diff panel a Diff button opens. The build leaves an empty
// <template data-sima-later="KEY"> where each goes and writes their HTML, by key, to
// the page's later file beside the page (index.html -> index.later.json, see
// sima.site.blocks.later_path): every visit downloads less, and Material's script has
// fewer elements to work through at load. This module puts one into the page when a
// reader opens it. (A template that has its content already, as in a page built
// without the later file, is opened as it is.)

import { keyboardScroller } from "./site/scrollers.mjs";

/** The address of a file the build wrote beside this page (`index.html` ->
 * `index<suffix>`), from the page's own address. */
export function besideUrl(suffix, location = window.location) {
  const path = location.pathname;
  const stem = path.endsWith("/") ? path + "index" : path.replace(/\.html$/, "");
  return new URL(stem + suffix, location.href).href;
}

/** The address of this page's later file, from the page's own address. */
export function laterFileUrl(location = window.location) {
  return besideUrl(".later.json", location);
}

// The later file of the page `template` is on, fetched once per page view (the promise
// is kept on the page's <article>, which Material's instant navigation replaces).
function laterFile(template) {
  const holder = template.closest("article") || document.body;
  if (!holder.simaLater) {
    holder.simaLater = fetch(laterFileUrl()).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    });
    holder.simaLater.catch(() => {
      holder.simaLater = null; // a later open tries again
    });
  }
  return holder.simaLater;
}

function put(template, content) {
  const first = content.firstElementChild;
  template.replaceWith(content);
  if (first) first.querySelectorAll("pre > code").forEach(keyboardScroller);
  return first;
}

/** Replace `template` by its content where it stands; a promise of the first element
 * put in (null when the later file could not be read: the template says so). */
export async function openLater(template) {
  if (template.content.childNodes.length) return put(template, template.content);
  const key = template.dataset.simaLater;
  let html;
  try {
    const file = await laterFile(template);
    html = file[key];
    if (html === undefined) throw new Error(`no part ${key}`);
  } catch (error) {
    console.warn(`sima: ${laterFileUrl()} could not be read (${(error && error.message) || error})`);
    if (template.isConnected && !template.nextElementSibling?.matches(".sima-later-failed")) {
      const note = document.createElement("p");
      note.className = "sima-later-failed";
      note.textContent = "This part of the page could not be loaded (offline?). Reload the page to try again.";
      template.after(note);
    }
    return null;
  }
  if (!template.isConnected) return null; // the reader moved on
  if (template.nextElementSibling?.matches(".sima-later-failed")) template.nextElementSibling.remove();
  const holder = document.createElement("template");
  holder.innerHTML = html;
  return put(template, holder.content);
}

/** Open each trace's table when its <details> opens (`toggle` does not bubble: capture). */
export function listenToTraces() {
  document.addEventListener(
    "toggle",
    (event) => {
      const details = event.target;
      if (!details.open || !details.matches || !details.matches("details.sima-trace")) return;
      const later = details.querySelector(":scope > template[data-sima-later]");
      if (later) openLater(later);
    },
    true,
  );
}
