// The Diff button of a bad snippet and the good one that fixes it: one panel per pair
// (written at build time), shown in the block whose button opened it.

/** Listen for Diff clicks (once, on the document: it serves every page view). */
export function listenToDiffs() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest('[data-action="diff"]');
    if (!button) return;
    const panel = document.getElementById(button.getAttribute("aria-controls"));
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
