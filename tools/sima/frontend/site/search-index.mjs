// mkdocs-material's full-text index (search/search_index.json, the whole site's text)
// waits until a reader shows they are about to search.
//
// Material requests the index as soon as a page loads, and on this site it is most of
// what a page sends before anyone touches it. The request is made by Material's bundle
// with XMLHttpRequest while the page is still being parsed, so this runs from a classic
// script just before the bundle (assets/sima/hold-search.js, sima.site.search_hold).
// It holds that one request's `send` until the first sign of intent, then sends it:
//
// - the search opens (Material's `/`, `s` and `f` keys, the header's search button, or
//   the ID search's `i` key all set its toggle or focus its box);
// - a pointer comes over the search box or its button, or touches it;
// - the address carries `h=` (a page opened from a search result, whose words Material
//   highlights with the index's settings).
//
// Until then the box shows Material's own "Initializing search"; queries typed while the
// index travels are answered when it arrives, as on a slow link today.

const INDEX = /\/search\/search_index\.json$/;
const OPENERS = ".md-search, label[for='__search']";

function wantedAtOnce() {
  return new URLSearchParams(window.location.search).has("h");
}

/** Hold the search index request until a reader is about to search. */
export function searchIndexOnIntent() {
  if (!document.forms.namedItem("search") || wantedAtOnce()) return;
  const proto = XMLHttpRequest.prototype;
  const { open, send } = proto;
  const targets = new WeakSet();
  const held = [];
  let released = false;

  proto.open = function openAndNote(method, url, ...rest) {
    if (INDEX.test(new URL(String(url), document.baseURI).pathname)) targets.add(this);
    return open.call(this, method, url, ...rest);
  };
  proto.send = function sendWhenWanted(body) {
    if (released || !targets.has(this)) return send.call(this, body);
    held.push(() => send.call(this, body));
    return undefined;
  };

  const events = ["focusin", "pointerover", "pointerdown", "touchstart"];
  const toggle = document.getElementById("__search");
  function release() {
    if (released) return;
    released = true;
    proto.open = open;
    proto.send = send;
    events.forEach((name) => document.removeEventListener(name, onIntent, true));
    if (toggle) toggle.removeEventListener("change", release);
    held.splice(0).forEach((go) => go());
  }
  function onIntent(event) {
    if (event.target instanceof Element && event.target.closest(OPENERS)) release();
  }
  events.forEach((name) => document.addEventListener(name, onIntent, { capture: true, passive: true }));
  if (toggle) toggle.addEventListener("change", release);
}
