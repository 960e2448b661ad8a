// Entry of assets/sima/hold-search.js, a classic script the build puts just before
// mkdocs-material's bundle on every page (sima.site.search_hold): it has to run
// before the bundle asks for the search index.

import { searchIndexOnIntent } from "../site/search-index.mjs";

searchIndexOnIntent();
