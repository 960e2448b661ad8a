// Find entries by REF-ID, preview ID links, and a go-to-ID shortcut.
//
// - The search box lists entries whose ID matches the query before mkdocs-material's
//   own results: `LESS-22`, `less22` and `less 22` all find LESS-22 (Enter opens it);
//   `LESS-2` lists the IDs that start with it. Words still go to full-text search.
// - Hovering or focusing an ID link shows its title, type and summary.
// - Pressing `i` (outside a text field) opens the search with an ID prefix typed.
// The index is assets/sima/ids.json, written at build time; nothing leaves the site.
(function () {
  "use strict";

  var ASSETS = new URL(".", document.currentScript.src);
  var ROOT = new URL("../../", ASSETS);
  var index = null;

  function loadIndex() {
    if (!index) {
      index = fetch(new URL("ids.json", ASSETS)).then(function (r) {
        if (!r.ok) throw new Error("ids.json: HTTP " + r.status);
        return r.json();
      });
    }
    return index;
  }

  function compact(text) { return text.replace(/[\s\-_]+/g, "").toUpperCase(); }

  // Entries whose compact ID equals or starts with the compact query.
  function matches(data, query) {
    var key = compact(query);
    var prefix = data.prefixes.find(function (p) { return key.indexOf(p) === 0; });
    if (!prefix || !/^[A-Z][A-Z0-9]*$/.test(key)) return [];
    // A bare prefix ("less") is a word: only "less-", "less 2"... ask for IDs.
    if (key === prefix && !/[\-_\s]$/.test(query)) return [];
    var exact = data.entries.filter(function (e) { return e.key === key; });
    var starts = data.entries.filter(function (e) { return e.key !== key && e.key.indexOf(key) === 0; });
    return exact.concat(starts).slice(0, 10);
  }

  // -- search ------------------------------------------------------------------------

  function hitsBox() {
    var wrap = document.querySelector(".md-search__scrollwrap");
    if (!wrap) return null;
    var box = wrap.querySelector(".sima-id-hits");
    if (!box) {
      box = document.createElement("div");
      box.className = "sima-id-hits";
      box.setAttribute("aria-live", "polite");
      wrap.prepend(box);
    }
    return box;
  }

  function render(query) {
    loadIndex().then(function (data) {
      var box = hitsBox();
      if (!box) return;
      var found = matches(data, query);
      box.textContent = "";
      if (!found.length) { box.hidden = true; return; }
      box.hidden = false;
      var head = document.createElement("p");
      head.className = "sima-id-hits__head";
      head.textContent = found.length === 1 && found[0].key === compact(query)
        ? "Entry with this ID (Enter opens it)" : "Entries whose ID starts with " + query.trim().toUpperCase();
      box.append(head);
      var list = document.createElement("ol");
      list.className = "sima-id-hits__list";
      found.forEach(function (e) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.className = "sima-id-hit";
        link.href = new URL(e.url, ROOT).href;
        link.dataset.ref = e.id;
        var id = document.createElement("strong");
        id.textContent = e.id;
        var title = document.createElement("span");
        title.textContent = " " + e.title + " · " + e.type;
        link.append(id, title);
        link.addEventListener("click", closeSearch);
        item.append(link);
        list.append(item);
      });
      box.append(list);
    }).catch(function () {});
  }

  function closeSearch() {
    var toggle = document.getElementById("__search");
    if (toggle && toggle.checked) {
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function openSearch(text) {
    var toggle = document.getElementById("__search");
    var input = document.querySelector(".md-search__input");
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

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".md-search__input")) render(event.target.value);
  });

  // Enter on an exact ID goes to that entry (before Material's own Enter handling).
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches(".md-search__input")) return;
    var first = document.querySelector(".sima-id-hits:not([hidden]) .sima-id-hit");
    if (!first || compact(first.dataset.ref) !== compact(input.value)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    first.click(); // a real link: instant navigation keeps the page (and Python) alive
  }, true);

  // The go-to-ID shortcut: `i` outside text fields.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "i" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest(".cm-editor")) return;
    event.preventDefault();
    loadIndex().then(function (data) {
      var here = document.querySelector("h1[data-ref-id]");
      var own = here ? compact(here.dataset.refId) : "";
      var prefix = data.prefixes.find(function (p) { return own.indexOf(p) === 0; }) || "LESS";
      var shown = (data.entries.find(function (e) { return e.key.indexOf(prefix) === 0; }) || { id: prefix + "-" }).id;
      openSearch(shown.split("-")[0] + "-");
    });
  });

  // -- graph nodes -------------------------------------------------------------------
  // SVG links carry xlink:href (Material's instant navigation cannot rewrite SVG
  // links); follow them through an ordinary link so instant navigation still applies.
  function followNode(node) {
    var target = node.getAttribute("xlink:href") || node.getAttribute("href");
    if (!target) return;
    var link = document.createElement("a");
    link.href = new URL(target, location.href).href;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
  }
  document.addEventListener("click", function (e) {
    var node = e.target.closest ? e.target.closest("a.sima-node") : null;
    if (!node || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    followNode(node);
  });
  document.addEventListener("keydown", function (e) {
    var node = e.target.closest ? e.target.closest("a.sima-node") : null;
    if (node && e.key === "Enter") { e.preventDefault(); followNode(node); }
  });

  // -- previews ------------------------------------------------------------------------

  var tip = null;
  var current = null;
  var wanted = null; // the link the pointer or focus is on now (the index loads async)

  function show(link) {
    wanted = link;
    loadIndex().then(function (data) {
      if (wanted !== link) return; // left before the index arrived
      var entry = data.entries.find(function (e) { return e.id === link.dataset.ref; });
      if (!entry) return;
      if (!tip) {
        tip = document.createElement("div");
        tip.className = "sima-preview md-typeset";
        tip.id = "sima-preview";
        tip.setAttribute("role", "tooltip");
        document.body.append(tip);
      }
      tip.textContent = "";
      var title = document.createElement("strong");
      title.textContent = entry.id + ": " + entry.title;
      var kind = document.createElement("span");
      kind.className = "sima-preview__type";
      kind.textContent = entry.type + (entry.planned ? " (planned)" : "");
      tip.append(title, kind);
      if (entry.summary) {
        var summary = document.createElement("p");
        summary.textContent = entry.summary;
        tip.append(summary);
      }
      if (link.title) { link.dataset.title = link.title; link.removeAttribute("title"); }
      link.setAttribute("aria-describedby", "sima-preview");
      var box = link.getBoundingClientRect();
      tip.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - 340)) + "px";
      tip.style.top = (window.scrollY + box.bottom + 6) + "px";
      tip.hidden = false;
      current = link;
    });
  }

  function hide() {
    wanted = null;
    if (tip) tip.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function refLink(target) { return target.closest ? target.closest("a.sima-ref[data-ref]") : null; }
  document.addEventListener("mouseover", function (e) { var l = refLink(e.target); if (l && l !== current) show(l); });
  document.addEventListener("mouseout", function (e) { var l = refLink(e.target); if (l && !l.contains(e.relatedTarget)) hide(); });
  document.addEventListener("focusin", function (e) { var l = refLink(e.target); if (l) show(l); });
  document.addEventListener("focusout", function (e) { if (refLink(e.target)) hide(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  if (typeof document$ !== "undefined") document$.subscribe(hide);
})();
