// Entry of assets/sima/find.js, with the `id_search` option: ID search in the search
// box and the `i` shortcut, previews of ID links, and graph nodes followed through
// instant navigation.

import { listenToGraphs } from "../graph.mjs";
import { onPage } from "../page.mjs";
import { hidePreview, listenToPreviews } from "../previews.mjs";
import { listenToSearch } from "../search.mjs";

listenToSearch();
listenToGraphs();
listenToPreviews();
onPage(hidePreview);
