"""Bringing a legacy knowledge base in (`sima import`).

- [`convert`][sima.legacy.convert]: one bold-header entry to a front-matter entry.
- [`corpus`][sima.legacy.corpus]: a whole tree of them, with a report.
"""
