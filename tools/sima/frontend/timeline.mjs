// Snippet timelines: the row under the pointer or focus, keyboard moves between
// invocations, and the picture redrawn after each Run.
//
// Every timeline is drawn at build time (figure[data-timeline] in each snippet block).
// The page carries its empty <svg> (its size, role and text alternative, marked
// data-sima-picture) and the drawing is a file beside the page (index.html ->
// index.<key>.svg, sima.site.blocks.picture_path), which this module fetches and puts
// in when the block comes near the reader's view: what every visit downloads is the
// pictures in view, not all of them. The rest is behaviour, and works without the
// in-page runner. The runner tells it about a run with a `sima:result` event on the
// block (detail: the run's result, whose `timeline` is the new SVG) and about Reset
// with `sima:reset`. Each redraw adds one to the figure's data-runs. Listeners sit on
// the document, so they serve every page of mkdocs-material's instant navigation
// without being bound again.

import { besideUrl } from "./later.mjs";
import { onPage } from "./page.mjs";

const SVG = "http://www.w3.org/2000/svg";
const WAITING = "svg[data-sima-picture]";
// How near the view a block is when its picture is fetched: a screen ahead.
const AHEAD = "100% 0px";
const DRAWN = new Set(["svg", "g", "rect", "path", "text", "title"]);
const ITEM = "[data-invocation], [data-invocations]";

// The SVG text as an element of this document, or null when it holds anything but
// the shapes the lab's renderer draws (it escapes all text; this is a second lock).
function parse(markup) {
  if (typeof markup !== "string" || !markup) return null;
  const root = new DOMParser().parseFromString(markup, "image/svg+xml").documentElement;
  if (!root || root.namespaceURI !== SVG || root.localName !== "svg") return null;
  const nodes = [root, ...root.querySelectorAll("*")];
  for (const node of nodes) {
    if (!DRAWN.has(node.localName) || node.namespaceURI !== SVG) return null;
    for (const attribute of node.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name.includes("href")) return null;
    }
  }
  return document.importNode(root, true);
}

function figureOf(block) {
  return block && block.querySelector("figure[data-timeline]");
}

function readout(figure, text) {
  const row = figure.querySelector(".sima-tl-row");
  if (row) row.textContent = text;
}

function show(figure, svg) {
  const old = figure.querySelector("svg");
  if (old) old.replaceWith(svg);
  else figure.prepend(svg);
  readout(figure, "");
}

function redraw(block, markup) {
  const figure = figureOf(block);
  const svg = figure && parse(markup);
  if (!svg) return;
  if (!figure.simaBuilt) figure.simaBuilt = figure.querySelector("svg");
  show(figure, svg);
  figure.dataset.runs = String((Number(figure.dataset.runs) || 0) + 1);
}

function restore(block) {
  const figure = figureOf(block);
  if (figure && figure.simaBuilt) show(figure, figure.simaBuilt);
}

// Fetch a waiting picture and put it in place of its empty <svg>. When a run drew over
// it already, the fetched one becomes the build's picture that Reset brings back.
async function fill(waiting) {
  const url = besideUrl(`.${waiting.dataset.simaPicture}.svg`);
  let svg;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    svg = parse(await response.text());
    if (!svg) throw new Error("not a timeline");
  } catch (error) {
    console.warn(`sima: ${url} could not be read (${(error && error.message) || error})`);
    return; // the empty picture keeps its text alternative
  }
  const figure = waiting.closest("figure[data-timeline]");
  if (figure && figure.simaBuilt === waiting) figure.simaBuilt = svg;
  if (waiting.isConnected) waiting.replaceWith(svg);
}

/** On every page view, fetch each block's picture when the block nears the view. */
export function drawTimelinesNearView() {
  let observer = null;
  onPage(() => {
    if (observer) observer.disconnect();
    // The blocks are watched, not the pictures: a block out of view is not laid out
    // (content-visibility), so what is inside it has no place to intersect.
    observer = new IntersectionObserver(
      (entries, seen) => {
        entries.forEach((entry) => {
          if (!entry.isIntersecting) return;
          seen.unobserve(entry.target);
          entry.target.querySelectorAll(WAITING).forEach(fill);
        });
      },
      { rootMargin: AHEAD },
    );
    document.querySelectorAll(WAITING).forEach((waiting) => {
      observer.observe(waiting.closest(".sima-snippet") || waiting);
    });
  });
}

function rowOf(item) {
  const title = item.querySelector("title");
  return title ? title.textContent : "";
}

function point(event) {
  const item = event.target.closest && event.target.closest(ITEM);
  const figure = item && item.closest("figure[data-timeline]");
  if (figure) readout(figure, rowOf(item));
}

/** Listen for runs, resets, the pointer, the focus and the keys (once, on the document). */
export function listenToTimelines() {
  document.addEventListener("sima:result", (event) => {
    if (event.detail) redraw(event.target, event.detail.timeline);
  });
  document.addEventListener("sima:reset", (event) => restore(event.target));

  document.addEventListener("pointerover", point);
  document.addEventListener("focusin", point);

  // One tab stop per picture (the renderer gives it to the first invocation): it
  // follows the focus, and the arrow keys (and Home, End) move it along the
  // invocations in the order they ran.
  document.addEventListener("focusin", (event) => {
    const item = event.target.closest && event.target.closest(ITEM);
    const svg = item && item.closest("figure[data-timeline] svg");
    if (!svg) return;
    svg.querySelectorAll("[tabindex]").forEach((other) => {
      if (other !== item) other.removeAttribute("tabindex");
    });
  });
  document.addEventListener("keydown", (event) => {
    const item = event.target.closest && event.target.closest(ITEM);
    const svg = item && item.closest("figure[data-timeline] svg");
    if (!svg) return;
    const items = [...svg.querySelectorAll(ITEM)];
    const at = items.indexOf(item);
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = items[Math.max(0, Math.min(items.length - 1, to))];
    next.setAttribute("tabindex", "0");
    next.focus();
  });
}
