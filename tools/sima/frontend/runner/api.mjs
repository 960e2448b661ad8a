// window.sima: the one global the site's code sets, for tests, benchmarks and the
// console. It exists on pages of a site with the in-page runner (the run bundle).
//
//   window.sima.run(block)            run the block's code; a promise of the result
//                                     ({state: "ok"|"error"|"timeout", observed,
//                                     declared, report, output, timeline...} or
//                                     {state, message}), or of null when it could not
//                                     start
//   window.sima.setCode(block, text)  put `text` in the block's editor (mounting it);
//                                     a promise
//   window.sima.stop(block)           stop the block's run; a promise
//   window.sima.reset(block)          the snippet's own code back, the verdict
//                                     cleared; a promise
//   window.sima.runtime()             {status: "idle"|"loading"|"ready"|"failed",
//                                     progress, failure, workers}: `workers` is how
//                                     many Python workers this page session started
//   window.sima.config                the build's settings (runner/settings.mjs), read
//                                     only
//
// `block` is a `.sima-snippet[data-snippet]` element. The code reads one global it
// never sets: window.SIMA_SNAPSHOT ("always" or "never"), which the benchmark and the
// tests set to force the memory snapshot's use either way (worker-client.mjs).

import { editing } from "./code.mjs";
import { reset, run, stopRun } from "./blocks.mjs";
import { SETTINGS } from "./settings.mjs";
import { runtimeState } from "./worker-client.mjs";

/** Define window.sima. */
export function defineApi() {
  window.sima = {
    run: (block) => run(block),
    setCode: (block, text) => editing(block).then(() => block.sima.editor.setValue(text)),
    stop: (block) => {
      stopRun(block);
      return Promise.resolve();
    },
    reset: (block) => reset(block),
    runtime: () => runtimeState(),
    config: SETTINGS,
  };
}
