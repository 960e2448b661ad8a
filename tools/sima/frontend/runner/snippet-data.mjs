// A snippet block's identity and its data: `data-snippet` is "<REF-ID>/<name>", and
// the entry's snippets (their files, claims and scenarios) are assets/sima/lab/
// <REF-ID>.json, written by the build, fetched once per page session (a failed fetch
// is tried again by the next use). The Python worker fetches the same file for a run.

import { ASSETS } from "../page.mjs";

const payloads = new Map();

/** The snippet's name within its entry (the file name without `.py`). */
export function snippetName(block) {
  return block.dataset.snippet.split("/").slice(1).join("/");
}

/** The URL of the entry's data for this block. */
export function payloadUrl(block) {
  const refId = block.dataset.snippet.split("/")[0];
  return new URL("lab/" + refId + ".json", ASSETS).href;
}

/** The entry's data (a promise). */
export function loadPayload(url) {
  if (!payloads.has(url)) {
    const loading = fetch(url).then((r) => {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
    loading.catch(() => payloads.delete(url)); // a later attempt fetches again
    payloads.set(url, loading);
  }
  return payloads.get(url);
}
