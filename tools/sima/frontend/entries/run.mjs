// Entry of assets/sima/run.js, with the `runner` option: the in-page runner (Run,
// Stop, Reset, Copy and an editor on every snippet block, one Python worker per page
// session) and the site's service worker. Defines window.sima (runner/api.mjs).
// It imports assets/sima/config.js, the build's settings (runner/settings.mjs).

import { startOffline } from "../offline.mjs";
import { onPage } from "../page.mjs";
import { defineApi } from "../runner/api.mjs";
import { enhance } from "../runner/blocks.mjs";
import { listenToScrolling, watchBlocks } from "../runner/in-view.mjs";

startOffline();
defineApi();
listenToScrolling();
onPage(() => {
  const blocks = [...document.querySelectorAll(".sima-snippet[data-snippet]")];
  blocks.forEach(enhance);
  watchBlocks(blocks);
});
