"""The content model: entries, their IDs and links, the project's settings, problems.

- [`catalog`][sima.content.catalog]: entries read into plain data, with every problem.
- [`ids`][sima.content.ids]: the REF-ID grammar.
- [`links`][sima.content.links]: REF-ID mentions in prose, turned into links; backlinks.
- [`schema`][sima.content.schema]: the front matter's model and its JSON Schema.
- [`settings`][sima.content.settings]: where entries and snippets live, which prefixes exist.
- [`problems`][sima.content.problems]: one shape for every content problem (path, line).
- [`scaffold`][sima.content.scaffold]: `sima new`, an entry and snippet folder that build.

Nothing here imports MkDocs, the lab or the other subpackages.
"""
