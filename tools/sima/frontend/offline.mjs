// Registers the site's service worker (sw.js at the site's root, written by the build;
// see sima.site.offline): the cache the site controls, so that a second visit or
// another entry page starts the runner without fetching the runtime again, and pages
// once read load offline. It is registered after the page has loaded (it fetches
// nothing of Pyodide itself), and told what the page loaded before it was there.
// keep(urls) asks it to keep more (the worker client passes on the runtime files the
// Python worker fetched). Under `mkdocs serve` (the settings' `offline` is false) it is
// not registered, and one left by a build served on the same address is removed.
// Part of the run bundle: the service worker is written only for a site with the
// in-page runner.

import { ROOT } from "./page.mjs";
import { SETTINGS } from "./runner/settings.mjs";

const supported = "serviceWorker" in navigator && window.isSecureContext;

/** Ask the service worker, once it controls the page, to keep these URLs. */
export function keep(urls) {
  if (!supported || !SETTINGS.offline) return;
  const worker = navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "keep", urls });
}

function loadedHere() {
  const urls = [location.href];
  performance.getEntriesByType("resource").forEach((entry) => urls.push(entry.name));
  return urls.filter((url) => url.indexOf(ROOT.href) === 0);
}

function register() {
  navigator.serviceWorker
    .register(new URL("sw.js", ROOT).href, { scope: ROOT.href })
    .then(() => {
      if (navigator.serviceWorker.controller) keep(loadedHere());
      else {
        navigator.serviceWorker.addEventListener("controllerchange", () => keep(loadedHere()), { once: true });
      }
    })
    .catch((error) => {
      console.warn("sima: the site's service worker did not start: " + error.message);
    });
}

/** Register the service worker after the page's load (or remove one under `mkdocs serve`). */
export function startOffline() {
  if (!supported) return;
  if (!SETTINGS.offline) {
    navigator.serviceWorker.getRegistrations().then((registrations) => {
      registrations.forEach((r) => {
        if (r.scope === ROOT.href) r.unregister();
      });
    });
    return;
  }
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
}
