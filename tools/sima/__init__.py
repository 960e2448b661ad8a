"""Site tooling for the SIMA knowledge base.

The package is split by concern; each module is importable without MkDocs except
[`sima.plugin`][sima.plugin], the thin MkDocs glue:

- [`sima.settings`][sima.settings]: where entries and snippets live, the ID prefixes.
- [`sima.ids`][sima.ids]: the REF-ID grammar.
- [`sima.schema`][sima.schema]: the front-matter schema.
- [`sima.catalog`][sima.catalog]: reads entries into plain data and reports problems.
- [`sima.links`][sima.links]: finds ID mentions in Markdown and turns them into links.
- [`sima.pages`][sima.pages]: writes the Markdown of entry and index pages.
- [`sima.coverage`][sima.coverage]: proof coverage, and where claims were proven.
- [`sima.importer`][sima.importer]: converts one legacy bold-header entry.
- [`sima.corpus`][sima.corpus]: imports a whole legacy knowledge base.
- [`sima.cli`][sima.cli]: the `sima` command.
"""

from sima.catalog import Catalog, Entry, load_catalog
from sima.problems import Problem
from sima.settings import Settings

__all__ = ["Catalog", "Entry", "Problem", "Settings", "load_catalog"]
