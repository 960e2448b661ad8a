// Sortable tables: every `.sima-table` table sorts by a heading (tablesort, the vendored
// classic script that defines window.Tablesort), by pointer or by keyboard.

/** Make the page's SIMA tables sortable (once each). */
export function sortableTables() {
  const Tablesort = window.Tablesort;
  if (typeof Tablesort === "undefined") return;
  document.querySelectorAll(".sima-table table").forEach((table) => {
    if (table.dataset.simaSortable) return;
    table.dataset.simaSortable = "1";
    // Headings are buttons for keyboard users: Enter or Space sorts.
    table.querySelectorAll("th").forEach((th) => {
      th.tabIndex = 0;
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          th.click();
        }
      });
    });
    new Tablesort(table);
  });
}
