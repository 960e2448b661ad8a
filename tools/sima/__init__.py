"""Site tooling for the SIMA knowledge base: the MkDocs plugin and the `sima` command.

The subpackages depend one way: `content` on nothing, `site` on `content`, `proofs`
on `content`, `site` and the lab, `legacy` on `content`; `runtime` stands alone.
Only [`sima.plugin`][sima.plugin] imports MkDocs.

- [`sima.content`][sima.content]: entries, IDs, links, settings and problems.
- [`sima.site`][sima.site]: pages, snippet blocks, graphs, ID search, the policy and
  the service worker the build writes.
- [`sima.proofs`][sima.proofs]: snippet claims proven in the lab, coverage, parity.
- [`sima.runtime`][sima.runtime]: the self-hosted Pyodide with the lab as a wheel.
- [`sima.legacy`][sima.legacy]: importing a legacy knowledge base.
- [`sima.plugin`][sima.plugin]: the MkDocs hooks, thin glue over the above.
- [`sima.cli`][sima.cli]: the `sima` command.
- `frontend/` and `assets/`: the code and styles the browser runs.
"""

from sima.content.catalog import Catalog, Entry, load_catalog
from sima.content.problems import Problem
from sima.content.settings import Settings

__all__ = ["Catalog", "Entry", "Problem", "Settings", "load_catalog"]
