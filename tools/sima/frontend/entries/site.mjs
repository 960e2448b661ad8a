// Entry of assets/sima/site.js, on every page of the site: sortable tables, names and
// tab stops for screen readers and keyboards, snippet timelines and the Diff button.
// None of it needs the in-page runner.

import { listenToDiffs } from "../diff.mjs";
import { listenToTraces } from "../later.mjs";
import { onPage } from "../page.mjs";
import { nameMaterialParts } from "../site/material.mjs";
import { keyboardScrollers } from "../site/scrollers.mjs";
import { sortableTables } from "../site/tables.mjs";
import { drawTimelinesNearView, listenToTimelines } from "../timeline.mjs";

listenToTimelines();
drawTimelinesNearView();
listenToDiffs();
listenToTraces();
onPage(() => {
  sortableTables();
  nameMaterialParts();
  keyboardScrollers();
});
