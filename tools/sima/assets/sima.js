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

  function onPage() {
    sortableTables();
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(onPage);
  } else {
    document.addEventListener("DOMContentLoaded", onPage);
  }
})();
