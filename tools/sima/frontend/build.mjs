// Builds the browser code (`npm run build`, which `make setup` runs): esbuild bundles
// each entry below, with the modules it imports, into one minified ES module in
// node_modules/.sima/, which the plugin copies into the site (tools/sima/plugin.py,
// BUNDLES and EDITOR). Nothing is fetched from another host at run time.
//
//   site.js           entries/site.mjs    every page
//   hold-search.js    entries/hold-search.mjs   every page, a classic script (IIFE)
//                                         that must run before Material's bundle
//   find.js           entries/find.mjs    with `id_search`
//   run.js            entries/run.mjs     with `runner`; imports ./config.js, the
//                                         build's settings (left as an import here)
//   python-worker.js  worker/python-worker.mjs   the module Web Worker (with `runner`)
//   editor.js         runner/editor.mjs   CodeMirror, imported on demand (with `runner`)

import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const BUNDLES = {
  site: "entries/site.mjs",
  find: "entries/find.mjs",
  run: "entries/run.mjs",
  "python-worker": "worker/python-worker.mjs",
  editor: "runner/editor.mjs",
};

await build({
  entryPoints: Object.entries(BUNDLES).map(([out, source]) => ({ out, in: here(source) })),
  outdir: here("../../../node_modules/.sima"),
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  external: ["./config.js"],
  logLevel: "warning",
});

await build({
  entryPoints: [{ out: "hold-search", in: here("entries/hold-search.mjs") }],
  outdir: here("../../../node_modules/.sima"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  logLevel: "warning",
});
