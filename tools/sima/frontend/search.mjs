// Find entries by REF-ID in mkdocs-material's search box, and the go-to-ID shortcut.
//
// - The search box lists entries whose ID matches the query before Material's own
//   results: `LESS-22`, `less22` and `less 22` all find LESS-22 (Enter opens it);
//   `LESS-2` lists the IDs that start with it. Words still go to full-text search.
// - Pressing `i` (outside a text field) opens the search with an ID prefix typed.
// Nothing leaves the site: the index is the build's ids.json (see ids.mjs).

import { compact, loadIndex, matches } from "./ids.mjs";
import { ROOT } from "./page.mjs";

function hitsBox() {
  const wrap = document.querySelector(".md-search__scrollwrap");
  if (!wrap) return null;
  let box = wrap.querySelector(".sima-id-hits");
  if (!box) {
    box = document.createElement("div");
    box.className = "sima-id-hits";
    box.setAttribute("aria-live", "polite");
    wrap.prepend(box);
  }
  return box;
}

function closeSearch() {
  const toggle = document.getElementById("__search");
  if (toggle && toggle.checked) {
    toggle.checked = false;
    toggle.dispatchEvent(new Event("change"));
  }
}

function openSearch(text) {
  const toggle = document.getElementById("__search");
  const input = document.querySelector(".md-search__input");
  if (!toggle || !input) return;
  if (!toggle.checked) {
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
  }
  input.value = text;
  input.focus();
  input.setSelectionRange(text.length, text.length);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function hitLink(entry) {
  const link = document.createElement("a");
  link.className = "sima-id-hit";
  link.href = new URL(entry.url, ROOT).href;
  link.dataset.ref = entry.id;
  const id = document.createElement("strong");
  id.textContent = entry.id;
  const title = document.createElement("span");
  title.textContent = " " + entry.title + " · " + entry.type;
  link.append(id, title);
  link.addEventListener("click", closeSearch);
  return link;
}

function render(query) {
  loadIndex()
    .then((data) => {
      const box = hitsBox();
      if (!box) return;
      const found = matches(data, query);
      box.textContent = "";
      if (!found.length) {
        box.hidden = true;
        return;
      }
      box.hidden = false;
      const head = document.createElement("p");
      head.className = "sima-id-hits__head";
      head.textContent =
        found.length === 1 && found[0].key === compact(query)
          ? "Entry with this ID (Enter opens it)"
          : "Entries whose ID starts with " + query.trim().toUpperCase();
      box.append(head);
      const list = document.createElement("ol");
      list.className = "sima-id-hits__list";
      found.forEach((entry) => {
        const item = document.createElement("li");
        item.append(hitLink(entry));
        list.append(item);
      });
      box.append(list);
    })
    .catch(() => {});
}

/** Listen to the search box and the `i` key (once, on the document). */
export function listenToSearch() {
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches(".md-search__input")) render(event.target.value);
  });

  // Enter on an exact ID goes to that entry (before Material's own Enter handling).
  document.addEventListener(
    "keydown",
    (event) => {
      const input = event.target;
      if (event.key !== "Enter" || !input.matches || !input.matches(".md-search__input")) return;
      const first = document.querySelector(".sima-id-hits:not([hidden]) .sima-id-hit");
      if (!first || compact(first.dataset.ref) !== compact(input.value)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      first.click(); // a real link: instant navigation keeps the page (and Python) alive
    },
    true,
  );

  // The go-to-ID shortcut: `i` outside text fields.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "i" || event.ctrlKey || event.metaKey || event.altKey) return;
    const t = event.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest(".cm-editor")) return;
    event.preventDefault();
    loadIndex().then((data) => {
      const here = document.querySelector("h1[data-ref-id]");
      const own = here ? compact(here.dataset.refId) : "";
      const prefix = data.prefixes.find((p) => own.indexOf(p) === 0) || "LESS";
      const first = data.entries.find((e) => e.key.indexOf(prefix) === 0) || { id: prefix + "-" };
      openSearch(first.id.split("-")[0] + "-");
    });
  });
}
