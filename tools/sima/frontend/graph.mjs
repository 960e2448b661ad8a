// Links of the relationship graphs (inline SVG drawn at build time): they carry
// xlink:href, which Material's instant navigation cannot rewrite, so a click or Enter
// on a node follows it through an ordinary link, and instant navigation still applies.

function followNode(node) {
  const target = node.getAttribute("xlink:href") || node.getAttribute("href");
  if (!target) return;
  const link = document.createElement("a");
  link.href = new URL(target, location.href).href;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

function nodeOf(target) {
  return target.closest ? target.closest("a.sima-node") : null;
}

/** Listen for clicks and Enter on graph nodes (once, on the document). */
export function listenToGraphs() {
  document.addEventListener("click", (e) => {
    const node = nodeOf(e.target);
    if (!node || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    followNode(node);
  });
  document.addEventListener("keydown", (e) => {
    const node = nodeOf(e.target);
    if (node && e.key === "Enter") {
      e.preventDefault();
      followNode(node);
    }
  });
}
