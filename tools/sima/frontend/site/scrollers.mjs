// Blocks that scroll inside themselves (a wide table, code or a trace) made reachable
// by keyboard: while one overflows it is a named region in the tab order.
//
// Material gives code blocks a tab stop only on devices that hover (none on a phone)
// and tables none; what has one already only gets the name. (A snippet's code becomes
// the editor when it takes the focus. Timelines are left out: their invocations take
// the focus and scroll them.)

const SCROLLERS = ".md-typeset__scrollwrap, .md-typeset pre > code";

function scrollerName(element) {
  if (element.matches(".md-typeset__scrollwrap")) {
    const heads = Array.prototype.map
      .call(element.querySelectorAll("thead th"), (th) => th.textContent.trim())
      .filter(Boolean);
    return "Table" + (heads.length ? " of " + heads.slice(0, 4).join(", ") : "") + " (scrolls sideways)";
  }
  if (element.closest(".sima-trace")) return "Trace of the lab's run";
  const file = element.closest(".highlight") && element.closest(".highlight").querySelector(".filename");
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

const resized =
  "ResizeObserver" in window
    ? new ResizeObserver((entries) => {
        entries.forEach((entry) => keyboardScroll(entry.target));
      })
    : null;

/** Give one block a tab stop and a name while it overflows, and keep that right as it resizes. */
export function keyboardScroller(element) {
  keyboardScroll(element);
  if (resized) resized.observe(element);
}

/** Give this page's overflowing blocks a tab stop and a name, and keep them right as they resize. */
export function keyboardScrollers() {
  if (resized) resized.disconnect(); // the last page's blocks are gone
  document.querySelectorAll(SCROLLERS).forEach(keyboardScroller);
}
