// Where the site's files are, and a hook for every page view.
//
// Every bundle built from these modules is served from assets/sima/ (see build.mjs),
// so `import.meta.url` (the bundle's own address once bundled) names that folder.
// mkdocs-material's instant navigation swaps pages without loading them: its
// `document$` observable (window.document$, Material's) tells each page view.

/** The site's assets/sima/ folder. */
export const ASSETS = new URL(".", import.meta.url);

/** The site's root. */
export const ROOT = new URL("../../", ASSETS);

/** Call `callback` on every page view: the first one and each instant navigation. */
export function onPage(callback) {
  const pages = window.document$;
  if (pages) pages.subscribe(callback);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback);
  else callback();
}
