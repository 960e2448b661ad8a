// Snippet timelines and diffs: the row under the pointer or focus, keyboard moves
// between invocations, the picture redrawn after each Run, and the Diff button.
//
// Every timeline is drawn at build time (figure[data-timeline] in each snippet block);
// this file only adds behaviour, and works without the runner. The runner tells it
// about a run with a `sima:result` event on the block (detail: the run's result,
// whose `timeline` is the new SVG) and about Reset with `sima:reset`. Each redraw
// adds one to the figure's data-runs. Listeners sit on the document, so they serve
// every page of mkdocs-material's instant navigation without being bound again.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var DRAWN = { svg: 1, g: 1, rect: 1, path: 1, text: 1, title: 1 };

  // The SVG text as an element of this document, or null when it holds anything but
  // the shapes the lab's renderer draws (it escapes all text; this is a second lock).
  function parse(markup) {
    if (typeof markup !== "string" || !markup) return null;
    var root = new DOMParser().parseFromString(markup, "image/svg+xml").documentElement;
    if (!root || root.namespaceURI !== SVG || root.localName !== "svg") return null;
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    for (var i = 0; i < nodes.length; i++) {
      if (!DRAWN[nodes[i].localName] || nodes[i].namespaceURI !== SVG) return null;
      for (var j = 0; j < nodes[i].attributes.length; j++) {
        var name = nodes[i].attributes[j].name.toLowerCase();
        if (name.indexOf("on") === 0 || name.indexOf("href") !== -1) return null;
      }
    }
    return document.importNode(root, true);
  }

  function figureOf(block) { return block && block.querySelector("figure[data-timeline]"); }

  function show(figure, svg) {
    var old = figure.querySelector("svg");
    if (old) old.replaceWith(svg); else figure.prepend(svg);
    readout(figure, "");
  }

  function redraw(block, markup) {
    var figure = figureOf(block);
    var svg = figure && parse(markup);
    if (!svg) return;
    if (!figure.simaBuilt) figure.simaBuilt = figure.querySelector("svg");
    show(figure, svg);
    figure.dataset.runs = String((Number(figure.dataset.runs) || 0) + 1);
  }

  function restore(block) {
    var figure = figureOf(block);
    if (figure && figure.simaBuilt) show(figure, figure.simaBuilt);
  }

  document.addEventListener("sima:result", function (event) {
    if (event.detail) redraw(event.target, event.detail.timeline);
  });
  document.addEventListener("sima:reset", function (event) { restore(event.target); });

  // -- the row of the invocation under the pointer or focus ------------------------

  var ITEM = "[data-invocation], [data-invocations]";

  function readout(figure, text) {
    var row = figure.querySelector(".sima-tl-row");
    if (row) row.textContent = text;
  }

  function rowOf(item) {
    var title = item.querySelector("title");
    return title ? title.textContent : "";
  }

  function point(event) {
    var item = event.target.closest && event.target.closest(ITEM);
    var figure = item && item.closest("figure[data-timeline]");
    if (figure) readout(figure, rowOf(item));
  }
  document.addEventListener("pointerover", point);
  document.addEventListener("focusin", point);

  // One tab stop per picture (the renderer gives it to the first invocation): it
  // follows the focus, and the arrow keys (and Home, End) move it along the
  // invocations in the order they ran.
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest && event.target.closest(ITEM);
    var svg = item && item.closest("figure[data-timeline] svg");
    if (!svg) return;
    svg.querySelectorAll("[tabindex]").forEach(function (other) {
      if (other !== item) other.removeAttribute("tabindex");
    });
  });
  document.addEventListener("keydown", function (event) {
    var item = event.target.closest && event.target.closest(ITEM);
    var svg = item && item.closest("figure[data-timeline] svg");
    if (!svg) return;
    var items = Array.prototype.slice.call(svg.querySelectorAll(ITEM));
    var at = items.indexOf(item);
    var to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
      Home: 0, End: items.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    var next = items[Math.max(0, Math.min(items.length - 1, to))];
    next.setAttribute("tabindex", "0");
    next.focus();
  });

  // -- the Diff button: one panel per pair, shown in the block whose button opened it --

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('[data-action="diff"]');
    if (!button) return;
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var opening = button.getAttribute("aria-expanded") !== "true";
    var place = button.closest(".sima-pair");
    if (opening && place && panel.parentNode !== place) place.append(panel);
    panel.hidden = !opening;
    document.querySelectorAll('[data-action="diff"][aria-controls="' + panel.id + '"]').forEach(function (b) {
      b.setAttribute("aria-expanded", String(opening && b === button));
    });
  });
})();
