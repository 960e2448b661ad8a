// The build's settings for the in-page runner: the one channel from Python to the
// browser code.
//
// The plugin writes assets/sima/config.js, an ES module whose default export is a
// JSON object (see `_add_runner` in tools/sima/plugin.py):
//   timeout           seconds a run may take (the `run_timeout` option)
//   pyodide           the pinned Pyodide version
//   runtime           what the Python worker needs: {names, gzipped, sizes, lock,
//                     stdlib_names} (Runtime.settings in sima.runtime.assemble;
//                     the Python worker's "load" message)
//   offline           whether to register the site's service worker (not under
//                     `mkdocs serve`)
//   snapshot, snapshot_pyodide
//                     the memory snapshot's file name in assets/pyodide/ and the
//                     Pyodide that made it (only when the build made one)
// The run bundle imports it (esbuild leaves the import as it is: build.mjs) and the
// page loads it beside the bundle, so both are fetched at once. window.sima.config
// shows it (see api.mjs).

import built from "./config.js";

/** The settings, with the time limit's default. */
export const SETTINGS = Object.freeze({ timeout: 10, ...built });
