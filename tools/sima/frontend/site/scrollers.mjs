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

// Reads every block's size first, then writes: a write between two reads would make
// the browser lay the page out again for each block (seconds on a phone's long page).
function keyboardScroll(elements) {
  const shown = elements.filter((element) => element.isConnected);
  const overflowing = shown.map((element) => overflows(element) && element.getClientRects().length > 0);
  shown.forEach((element, index) => {
    if (overflowing[index]) {
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
  });
}

// A ResizeObserver reports each block once it is laid out (then on every resize), in
// the browser's own layout pass: nothing here forces one.
const resized =
  "ResizeObserver" in window
    ? new ResizeObserver((entries) => keyboardScroll(entries.map((entry) => entry.target)))
    : null;

// Material sets up a code block when it comes into view (`content.lazy`), which may be
// after the block got its tab stop here, and on a device without hover it takes the
// code's tab stop away: a stop this module gave is put back.
const kept =
  "MutationObserver" in window
    ? new MutationObserver((records) => {
        records.forEach(({ target }) => {
          if (target.dataset.simaScroll === "tab" && !target.hasAttribute("tabindex")) target.tabIndex = 0;
        });
      })
    : null;

/** Give one block a tab stop and a name while it overflows, and keep that right as it resizes. */
export function keyboardScroller(element) {
  if (kept) kept.observe(element, { attributes: true, attributeFilter: ["tabindex"] });
  if (resized) resized.observe(element);
  else keyboardScroll([element]);
}

/** Give this page's overflowing blocks a tab stop and a name, and keep them right as they resize. */
export function keyboardScrollers() {
  if (resized) resized.disconnect(); // the last page's blocks are gone
  if (kept) kept.disconnect();
  document.querySelectorAll(SCROLLERS).forEach(keyboardScroller);
}
