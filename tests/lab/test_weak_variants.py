"""Variants that the scenarios used to let through, each now rejected for its reason.

Each case edits a real snippet the way a reader (or a careless author) might, checks
it against that snippet's own claim, and names the failure the scenario must report.
They are the variants found when the claims were first read against their
sentences: a scenario that lets one through checks less than its sentence says.
"""

from __future__ import annotations

from functools import cache

import pytest

from conftest import ROOT
from sima_lab import Folder, format_outcome, load_folder, verify


@cache
def folder(ref_id: str) -> Folder:
    return load_folder(ROOT / "snippets" / ref_id, root=ROOT)


def edited(ref_id: str, name: str, old: str, new: str) -> str:
    """The snippet with `old` replaced by `new` (several pairs: split on `|||`)."""
    source = folder(ref_id).snippet(name).source
    for before, after in zip(old.split("|||"), new.split("|||"), strict=True):
        assert before in source, f"{name} no longer contains {before!r}: update this case"
        source = source.replace(before, after)
    return source


#: (folder, snippet, old text, new text, a failure the check must name)
CASES = {
    "bad snippet raising an unrelated KeyError": (
        "LESS-22",
        "mistake3_temp_files_kept",
        "    _temp_files.append(path)",
        '    raise KeyError("unrelated")',
        "error:KeyError",
    ),
    "bad snippet returning None": (
        "LESS-22",
        "pattern3_config_cached_forever",
        '    return {"timeout": get_config()["timeout"]}',
        "    return None",
        "wrong-answer",
    ),
    "immutable config as a plain dict, with a client per request": (
        "LESS-22",
        "module_level_immutable_config",
        'CONFIG = MappingProxyType({"timeout": 30, "max_retries": 3})',
        'CONFIG = {"timeout": 30, "max_retries": 3}',
        "writable-config",
    ),
    "a new object-store client on every request": (
        "LESS-22",
        "module_level_immutable_config",
        '    report = S3.get("reports/latest.json")',
        '    report = object_store().get("reports/latest.json")',
        "client-per-request",
    ),
    "initialisation on every call, not once per container": (
        "LESS-22",
        "mistake2_lazy_init",
        '    config = singleton_get_or_create("config", load_config)',
        "    config = load_config()",
        "init-repeated",
    ),
    "a time-to-live of two minutes for 'within a minute'": (
        "LESS-22",
        "pattern3_config_with_ttl",
        "MAX_AGE = 60.0",
        "MAX_AGE = 120.0",
        "stale-config",
    ),
    "the cache cleared at 95% for '80%'": (
        "LESS-22",
        "memory_cache_cleared_under_pressure",
        "THRESHOLD_MB = 0.8 * memory_limit_mb()",
        "THRESHOLD_MB = 0.95 * memory_limit_mb()",
        "late-clear",
    ),
    "the connection opened at import, not on first use": (
        "LESS-22",
        "pattern2_reused_connection",
        "def get_db_client():",
        '_DB = singleton_get_or_create("db", connect_db)\n\n\ndef get_db_client():',
        "eager-connection",
    ),
    "the module-level heavy import moved into the handler": (
        "LESS-22",
        "memory_heavy_import_module_level",
        "import heavy_library  #|||    work(100)",
        "# |||    import heavy_library\n\n    work(100)",
        "import-in-handler",
    ),
    "a bounded manager that is never unloaded": (
        "LESS-18",
        "manager_unloaded_under_pressure",
        "    relieve_memory_pressure()\n",
        "    get_report_manager()._reports.clear() if len(get_report_manager()._reports) > 8"
        " else None\n",
        "never-unloaded",
    ),
    "an unload that deletes without reset()": (
        "LESS-18",
        "manager_unloaded_under_pressure",
        '        singleton_get("reports").reset()',
        "        pass",
        "not-reset",
    ),
    "a lock whose response depends on the lock": (
        "LESS-17",
        "lock_around_writes",
        '    return {"route": route, "served_here": _served[route]}',
        '    return {"route": route, "served_here": _served[route], "by": type(_lock).__module__}',
        "lock-mattered",
    ),
    "the handler's import moved to module level": (
        "LESS-22",
        "memory_heavy_import_in_handler",
        "from lab import work|||    import heavy_library  #",
        "import heavy_library\nfrom lab import work|||    #",
        "import-at-init",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_variant_is_rejected_for_its_reason(case: str) -> None:
    ref_id, name, old, new, failure = CASES[case]
    spec = folder(ref_id).snippet(name)
    assert spec.claim is not None
    outcome = verify(
        edited(ref_id, name, old, new),
        spec.claim,
        folder(ref_id).scenarios,
        filename=spec.path,
        modules=spec.modules,
    )
    assert outcome.status == "fail", format_outcome(outcome)
    assert failure in outcome.observed_failures, format_outcome(outcome)
    assert outcome.message.startswith(f"{spec.path}:"), outcome.message
