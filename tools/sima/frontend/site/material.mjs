// Names for mkdocs-material's parts that carry a role without one (its search dialog
// and its page-load progress bar), for screen readers.

const NAMES = {
  ".md-search[role='dialog']": "Search",
  ".md-progress[role='progressbar']": "Loading the page",
};

/** Name Material's unnamed parts on this page. */
export function nameMaterialParts() {
  Object.keys(NAMES).forEach((selector) => {
    const element = document.querySelector(selector);
    if (element && !element.hasAttribute("aria-label")) element.setAttribute("aria-label", NAMES[selector]);
  });
}
