"""The site's own Python runtime: Pyodide from npm, the lab as a wheel, trimmed.

- [`assemble`][sima.runtime.assemble]: everything `assets/pyodide/` needs: the lab
  wheel in a trimmed lock, the trimmed standard library (`stdlib.mjs` finds what is
  imported), the snapshot (`snapshot.mjs` writes it), content-hashed and gzipped.
"""
