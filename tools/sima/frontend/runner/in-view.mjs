// Python starts loading when a snippet block is in view after the reader scrolls
// (nothing of Pyodide is fetched on page load: a block in view at load waits for a
// scroll, the pointer or focus on Run, or a run).

import { prefetch } from "./worker-client.mjs";

const visible = new Set();
let scrolled = false;

const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
        entries.forEach((e) => {
          if (e.isIntersecting) visible.add(e.target);
          else visible.delete(e.target);
        });
        if (scrolled && visible.size) prefetch();
      })
    : null;

/** Listen for the reader's scrolling (once). */
export function listenToScrolling() {
  window.addEventListener(
    "scroll",
    () => {
      scrolled = true;
      if (visible.size) prefetch();
    },
    { passive: true },
  );
}

/** Watch these blocks (this page's) instead of the last page's. */
export function watchBlocks(blocks) {
  visible.clear();
  if (!observer) return;
  observer.disconnect();
  blocks.forEach((block) => observer.observe(block));
}
