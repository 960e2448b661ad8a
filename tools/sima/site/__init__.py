"""What the build writes for readers: pages, blocks, graphs, search, policy, cache.

- [`pages`][sima.site.pages]: the Markdown of entry pages and index pages.
- [`blocks`][sima.site.blocks]: a snippet's block (claim, code, timeline, trace, diff).
- [`graph`][sima.site.graph]: relation graphs as SVG.
- [`id_index`][sima.site.id_index]: the REF-ID normaliser and the ID index shipped.
- [`search_scope`][sima.site.search_scope]: what Material's search index leaves out.
- [`search_hold`][sima.site.search_hold]: Material's search index held until a reader searches.
- [`csp`][sima.site.csp]: the Content-Security-Policy every page carries.
- [`offline`][sima.site.offline]: the service worker (`sw.js` beside it) and its manifest.
- [`dirty`][sima.site.dirty]: what `mkdocs serve --dirty` may skip.

These take plain values from [`sima.content`][sima.content] and the lab's results;
none of them runs the lab.
"""
