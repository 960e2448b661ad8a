// The ID index: assets/sima/ids.json, written at build time (every entry's REF-ID,
// title, type, summary and address), fetched once when first needed, and how a query
// matches an ID. Shared by the search box additions and the link previews.

import { ASSETS } from "./page.mjs";

let index = null;

/** The index (a promise, fetched once). */
export function loadIndex() {
  if (!index) {
    index = fetch(new URL("ids.json", ASSETS)).then((r) => {
      if (!r.ok) throw new Error("ids.json: HTTP " + r.status);
      return r.json();
    });
  }
  return index;
}

/** An ID or query without spaces, dashes or underscores, upper case: `less 22` is `LESS22`. */
export function compact(text) {
  return text.replace(/[\s\-_]+/g, "").toUpperCase();
}

/** Entries whose compact ID equals or starts with the compact query (at most ten). */
export function matches(data, query) {
  const key = compact(query);
  const prefix = data.prefixes.find((p) => key.indexOf(p) === 0);
  if (!prefix || !/^[A-Z][A-Z0-9]*$/.test(key)) return [];
  // A bare prefix ("less") is a word: only "less-", "less 2"... ask for IDs.
  if (key === prefix && !/[-_\s]$/.test(query)) return [];
  const exact = data.entries.filter((e) => e.key === key);
  const starts = data.entries.filter((e) => e.key !== key && e.key.indexOf(key) === 0);
  return exact.concat(starts).slice(0, 10);
}
