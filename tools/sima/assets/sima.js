// SIMA site behaviour. Runs on every page view, including instant navigation
// (mkdocs-material's document$ observable), so nothing is bound twice or missed.
(function () {
  "use strict";

  function sortableTables() {
    if (typeof Tablesort === "undefined") return;
    document.querySelectorAll(".sima-table table").forEach(function (table) {
      if (table.dataset.simaSortable) return;
      table.dataset.simaSortable = "1";
      // Headings are buttons for keyboard users: Enter or Space sorts.
      table.querySelectorAll("th").forEach(function (th) {
        th.tabIndex = 0;
        th.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            th.click();
          }
        });
      });
      new Tablesort(table);
    });
  }

  // Material's search dialog and page-load progress bar carry roles without names.
  function nameMaterialParts() {
    var names = { ".md-search[role='dialog']": "Search", ".md-progress[role='progressbar']": "Loading the page" };
    Object.keys(names).forEach(function (selector) {
      var element = document.querySelector(selector);
      if (element && !element.hasAttribute("aria-label")) element.setAttribute("aria-label", names[selector]);
    });
  }

  // A block that scrolls inside itself (a wide table, code or trace) must be reachable
  // by keyboard to be scrolled: while it overflows it is a named region in the tab
  // order. Material gives code blocks a tab stop only on devices that hover (none on a
  // phone) and tables none; what has one already only gets the name. (A snippet's code
  // becomes the editor when it takes the focus. Timelines are left out: their
  // invocations take the focus and scroll them.)
  var SCROLLERS = ".md-typeset__scrollwrap, .md-typeset pre > code";

  function scrollerName(element) {
    if (element.matches(".md-typeset__scrollwrap")) {
      var heads = Array.prototype.map.call(element.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      }).filter(Boolean);
      return "Table" + (heads.length ? " of " + heads.slice(0, 4).join(", ") : "") + " (scrolls sideways)";
    }
    if (element.closest(".sima-trace")) return "Trace of the lab's run";
    var file = element.closest(".highlight") && element.closest(".highlight").querySelector(".filename");
    return file ? "Code of " + file.textContent.trim() : "Code";
  }

  function overflows(element) {
    return element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1;
  }

  function keyboardScroll(element) {
    if (!element.isConnected) return;
    if (overflows(element) && element.getClientRects().length) {
      if (!element.hasAttribute("tabindex")) {
        element.tabIndex = 0;
        element.dataset.simaScroll = "tab";
      } else if (!element.dataset.simaScroll) {
        element.dataset.simaScroll = "named";
      }
      if (!element.hasAttribute("role")) element.setAttribute("role", "region");
      if (!element.hasAttribute("aria-label")) element.setAttribute("aria-label", scrollerName(element));
    } else if (element.dataset.simaScroll === "tab") {
      element.removeAttribute("tabindex");
      delete element.dataset.simaScroll;
    }
  }

  var resized = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { keyboardScroll(entry.target); });
  }) : null;

  function keyboardScrollers() {
    if (resized) resized.disconnect(); // the last page's blocks are gone
    document.querySelectorAll(SCROLLERS).forEach(function (element) {
      keyboardScroll(element);
      if (resized) resized.observe(element);
    });
  }

  function onPage() {
    sortableTables();
    nameMaterialParts();
    keyboardScrollers();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(onPage);
  } else {
    document.addEventListener("DOMContentLoaded", onPage);
  }
})();
