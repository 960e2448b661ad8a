// Registers the site's service worker (sw.js at the site's root, written by the build;
// see tools/sima/sw.js): the cache the site controls, so that a second visit or
// another entry page starts the runner without fetching the runtime again, and pages
// once read load offline. It is registered after the page has loaded (it fetches
// nothing of Pyodide itself), and told what the page loaded before it was there.
// window.simaOffline.keep(urls) asks it to keep more (the runner's worker names
// the runtime files it fetched). Under `mkdocs serve` (SIMA_CONFIG.offline false) it
// is not registered, and one left by a build served on the same address is removed.
(function () {
  "use strict";

  var CONFIG = window.SIMA_CONFIG || {};
  var ROOT = new URL("../../", document.currentScript.src);
  var supported = "serviceWorker" in navigator && window.isSecureContext;
  var api = { keep: function () {} };
  window.simaOffline = api;
  if (!supported) return;

  if (!CONFIG.offline) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (r) { if (r.scope === ROOT.href) r.unregister(); });
    });
    return;
  }

  function keep(urls) {
    var worker = navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "keep", urls: urls });
  }
  api.keep = keep;

  function loadedHere() {
    var urls = [location.href];
    performance.getEntriesByType("resource").forEach(function (entry) { urls.push(entry.name); });
    return urls.filter(function (url) { return url.indexOf(ROOT.href) === 0; });
  }

  function register() {
    navigator.serviceWorker.register(new URL("sw.js", ROOT).href, { scope: ROOT.href })
      .then(function () {
        if (navigator.serviceWorker.controller) keep(loadedHere());
        else {
          navigator.serviceWorker.addEventListener("controllerchange", function () {
            keep(loadedHere());
          }, { once: true });
        }
      })
      .catch(function (error) {
        console.warn("sima: the site's service worker did not start: " + error.message);
      });
  }

  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
})();
