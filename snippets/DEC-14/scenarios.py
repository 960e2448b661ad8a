"""Scenarios for DEC-14: what importing the interface routers costs, and when.

The lab declares twelve interface routers, `interface_auth` ... `interface_storage`,
as heavy modules: importing one costs IMPORT_MS of virtual time and SIZE_MB of memory
the first time in a container, and nothing afterwards (Python keeps it in
`sys.modules`). Each router's `process(payload)` hands the payload back, so a
handler's answer shows which routers it really called. These costs are declared for
the lab, not measured on any platform.

Every scenario also checks that the handler does its job: each request must get, for
every interface it names, that router's answer. A handler that returns None, raises,
or answers something else is judged bad, with a sentence saying so.
"""

from collections.abc import Mapping
from types import MappingProxyType

from sima_lab import HeavyModule, Invocation, Lab, Verdict
from sima_lab.answers import shown

INTERFACES = (
    "auth",
    "billing",
    "cache",
    "config",
    "email",
    "http",
    "logging",
    "metrics",
    "queue",
    "search",
    "secrets",
    "storage",
)
#: Declared cost of importing one router: virtual milliseconds and megabytes.
IMPORT_MS = 5.0
SIZE_MB = 1.0

#: Five requests on one warm container, each using two or three of the routers.
REQUESTS = (
    ("cache", "config"),
    ("cache", "config"),
    ("cache", "metrics"),
    ("cache", "config", "metrics"),
    ("auth", "cache"),
)


def _declare_routers(lab: Lab) -> None:
    lab.settings.heavy_modules = MappingProxyType(
        {
            f"interface_{name}": HeavyModule(seconds=IMPORT_MS / 1000, size_mb=SIZE_MB)
            for name in INTERFACES
        }
    )


def _answered(record: Invocation) -> bool:
    """Whether the handler returned each named router's answer to the payload."""
    names = record.event["interfaces"]
    payload = record.event["payload"]
    result = record.result
    try:
        return (
            record.ok
            and isinstance(result, Mapping)
            and sorted(result) == sorted(names)
            and all(result[name] == payload for name in names)
        )
    except Exception:
        return False


def _wrong(records: list[Invocation]) -> str:
    """'' when every request was answered, else what the first wrong one did."""
    wrong = [r for r in records if not _answered(r)]
    if not wrong:
        return ""
    first = wrong[0]
    what = f"failed with {first.error}" if first.error else f"returned {shown(first.result, 70)}"
    names = ", ".join(first.event["interfaces"])
    return (
        f"request {first.number} {what} instead of the answers of {names} "
        f"({len(wrong)} of {len(records)} requests wrong)"
    )


def _imports(record: Invocation) -> int:
    return record.counts.get("heavy.import", 0)


def cold_start_and_first_calls(lab: Lab) -> Verdict:
    """Routers must be imported when a request first needs them, once per container."""
    _declare_routers(lab)
    records = [
        lab.invoke({"interfaces": list(names), "payload": {"request": number}})
        for number, names in enumerate(REQUESTS, 1)
    ]
    first = records[0]
    used: list[str] = []
    expected: list[int] = []  # imports if each router is loaded on its first use
    for names in REQUESTS:
        new = [name for name in names if name not in used]
        used += new
        expected.append(len(new))
    imports = [_imports(r) for r in records]
    containers = len(lab.all_containers)
    on_demand = containers == 1 and imports == expected
    if on_demand:
        lead = (
            f"the cold start imported only the {imports[0]} routers its request used, "
            "and each later router was imported on its first call"
        )
    else:
        lead = (
            f"the cold start imported {imports[0]} of the {len(INTERFACES)} routers for a "
            f"request that used {len(REQUESTS[0])}; {sum(imports)} imports in all for "
            f"{len(used)} routers used"
        )
    numbers = ", ".join(str(n) for n in imports)
    times = ", ".join(f"{r.duration_ms:g}" for r in records)
    story = (
        f"{lead}: per request (routers used {', '.join(str(len(n)) for n in REQUESTS)}), "
        f"imports {numbers} and time {times} ms ({first.init_ms:g} ms of it module code), "
        f"{sum(r.duration_ms for r in records):g} ms in all; {first.memory_mb:g} MB in use "
        "after the cold start"
    )
    if containers != 1:
        story += f"; the requests ran on {containers} containers instead of one"
    wrong = _wrong(records)
    if wrong:
        story += f"; {wrong}"
    return Verdict(on_demand and not wrong, story)


def unknown_interface_name(lab: Lab) -> Verdict:
    """A mistyped interface name must fail with an error that says what went wrong."""
    _declare_routers(lab)
    before = lab.invoke({"interfaces": ["cache"], "payload": {"request": 1}})
    typo = lab.invoke({"interfaces": ["cahce"], "payload": {"request": 2}})
    after = lab.invoke({"interfaces": ["cache", "config"], "payload": {"request": 3}})
    error = typo.error
    if error is None:
        returned = shown(typo.result, 70)
        told = f"the unknown interface 'cahce' raised nothing (the handler returned {returned})"
        clear = False
    else:
        missing = [name for name in INTERFACES if name not in error.message]
        names_it = "cahce" in error.message
        clear = names_it and not missing
        said = f"{error.type}: {error.message}"
        said = said if len(said) <= 90 else f"{said[:87]}..."
        told = f"the unknown interface 'cahce' failed with {said}"
        if not clear:
            lacks = []
            if not names_it:
                lacks.append("the name asked for")
            if missing:
                lacks.append(f"{len(missing)} of the {len(INTERFACES)} known interfaces")
            told += f", which leaves out {' and '.join(lacks)}"
        else:
            told += ", naming it and all 12 known interfaces"
    wrong = _wrong([before, after])
    story = told + (
        f"; {wrong}" if wrong else "; the requests before and after it were answered right"
    )
    return Verdict(clear and not wrong, story)
