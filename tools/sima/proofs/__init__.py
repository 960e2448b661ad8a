"""Proving snippet claims: the bridge from the site tooling to the lab.

- [`prover`][sima.proofs.prover]: every snippet folder proven (cached per folder),
  its outcomes as block views and problems; the browser payload; mutation scores.
- [`coverage`][sima.proofs.coverage]: how much of an entry's code a scenario proves.
- [`parity`][sima.proofs.parity]: the same claims run in Pyodide under Node
  (`run_claims.mjs` beside it), the way the site's worker runs them.
"""
