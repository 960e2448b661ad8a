// The Diff button of a bad snippet and the good one that fixes it: one panel per pair
// (in the page's later file until first shown, see later.mjs), shown in the block whose
// button opened it.

import { openLater } from "./later.mjs";

/** Listen for Diff clicks (once, on the document: it serves every page view). */
export function listenToDiffs() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest('[data-action="diff"]');
    if (!button) return;
    const id = button.getAttribute("aria-controls");
    let panel = document.getElementById(id);
    if (!panel) {
      const later = document.querySelector('template[data-sima-later="' + CSS.escape(id) + '"]');
      panel = later && (await openLater(later));
      panel = panel || document.getElementById(id); // (opened meanwhile by another click)
    }
    if (!panel) return;
    const opening = button.getAttribute("aria-expanded") !== "true";
    const place = button.closest(".sima-pair");
    if (opening && place && panel.parentNode !== place) place.append(panel);
    panel.hidden = !opening;
    document.querySelectorAll('[data-action="diff"][aria-controls="' + panel.id + '"]').forEach((b) => {
      b.setAttribute("aria-expanded", String(opening && b === button));
    });
  });
}
