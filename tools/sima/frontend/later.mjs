// Parts of a snippet block that the build writes in a <template data-sima-later>: the
// trace table in its closed <details>, and the diff panel a Diff button opens. Closed
// or hidden they are no elements of the page, so Material's script does not work
// through them at load; this module puts one into the page when a reader opens it.

import { keyboardScroller } from "./site/scrollers.mjs";

/** Replace `template` by its content where it stands; returns the first element put in. */
export function openLater(template) {
  const content = template.content;
  const first = content.firstElementChild;
  template.replaceWith(content);
  if (first) first.querySelectorAll("pre > code").forEach(keyboardScroller);
  return first;
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
